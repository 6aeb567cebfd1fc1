import type { ErrorObject, ValidateFunction } from 'ajv';
import type { DiagnosticSink } from './diagnostic.js';
import { validate as compiled } from './shape-validator.generated.js';
import type { DataPath, ParsedDocument } from './source.js';
import { closest, didYouMean } from './suggest.js';

/**
 * Checks each document against tidemark.schema.json (the file editors use too) and turns every ajv error into
 * a diagnostic at the YAML node it concerns, worded for a person rather than as a JSON pointer. The schema is
 * compiled ahead of time (scripts/generate-validator.mjs): no run imports ajv or compiles it.
 */

const validate = compiled as unknown as ValidateFunction;

export function checkShape(doc: ParsedDocument, sink: DiagnosticSink): boolean {
  if (validate(doc.data ?? {})) return true;
  for (const e of validate.errors ?? []) report(doc, e, sink);
  return false;
}

function pointerToPath(pointer: string): (string | number)[] {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replaceAll('~1', '/').replaceAll('~0', '~'));
}

/** Array indexes as numbers, so the YAML lookup walks sequences. */
function typedPath(doc: ParsedDocument, pointer: string): DataPath {
  const out: (string | number)[] = [];
  let cur: unknown = doc.data;
  for (const seg of pointerToPath(pointer)) {
    if (Array.isArray(cur)) {
      const i = Number(seg);
      out.push(i);
      cur = cur[i];
    } else {
      out.push(seg);
      cur = cur && typeof cur === 'object' ? (cur as Record<string, unknown>)[seg] : undefined;
    }
  }
  return out;
}

/** `column children.parent_id`, `table children`, `foreign key children_parent_id_fkey`… for messages. */
export function describeOwner(path: DataPath): string {
  const [top, name, section, member] = path;
  if (path.length === 0) return 'the top level';
  if (top === 'tables' && name !== undefined) {
    if (path.length <= 2) return `table ${name}`;
    const kinds: Record<string, string> = {
      columns: 'column',
      unique: 'unique constraint',
      checks: 'check',
      foreignKeys: 'foreign key',
      indexes: 'index',
      primaryKey: 'primary key',
    };
    const kind = kinds[String(section)];
    if (section === 'primaryKey') return `the primary key of table ${name}`;
    if (kind && member !== undefined) return `${kind} ${section === 'columns' ? `${name}.` : ''}${member}`;
    return `table ${name}`;
  }
  const kinds: Record<string, string> = {
    enums: 'enum',
    sequences: 'sequence',
    extensions: 'extension',
    requires: 'required object',
  };
  const kind = kinds[String(top)];
  if (kind && name !== undefined) return `${kind} ${typeof name === 'number' ? `#${name + 1}` : name}`;
  return 'the top level';
}

const TYPE_WORDS: Record<string, string> = {
  object: 'a mapping',
  array: 'a list',
  string: 'a string',
  boolean: 'true or false',
  integer: 'an integer',
  number: 'a number',
  null: 'empty',
};

function typeOf(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

function shown(value: unknown): string {
  const t = typeOf(value);
  if (t === 'null') return 'nothing';
  if (t === 'object' || t === 'array') return TYPE_WORDS[t]!;
  return `${TYPE_WORDS[t]} (${JSON.stringify(value)})`;
}

function keyName(path: DataPath): string {
  const last = path[path.length - 1];
  return last === undefined ? 'the file' : typeof last === 'number' ? `item ${last + 1}` : `"${last}"`;
}

function expectedWords(type: unknown): string {
  const list = Array.isArray(type) ? type : String(type).split(',');
  const words = list.map((t) => TYPE_WORDS[String(t)] ?? String(t));
  return words.length <= 1 ? (words[0] ?? '') : `${words.slice(0, -1).join(', ')} or ${words.at(-1)}`;
}

/** What the message is about: the object itself (`enum kind`) or one of its keys (`"notNull" of column …`). */
function subject(path: DataPath): string {
  if (path.length === 0) return 'the file';
  const owner = describeOwner(path);
  return path.length > 0 && owner !== describeOwner(path.slice(0, -1))
    ? owner
    : `${keyName(path)} of ${owner}`;
}

/** The value as written in the file (`1.10`, not the number 1.1 YAML made of it). */
function written(doc: ParsedDocument, path: DataPath, value: unknown): string {
  const info = doc.scalar(path);
  if (info && typeof value === 'number') return info.text.slice(info.offset, info.valueEnd).trim();
  return typeof value === 'string' ? value : JSON.stringify(value);
}

function typeHint(doc: ParsedDocument, path: DataPath, want: string, data: unknown): string | null {
  if (data === null || data === undefined) return 'write a value after the colon, or remove the key';
  if (want.includes('string') && typeof data === 'number')
    return `quote the value: "${written(doc, path, data)}"`;
  if (want === 'boolean' && typeof data === 'string') {
    return `write true or false${/^(yes|no|on|off|y|n)$/i.test(data) ? ` (YAML 1.2 reads ${data} as text)` : ''}`;
  }
  if (want.includes('array') && typeof data === 'string') return `write a list: [${data}]`;
  const last = path.at(-1);
  if (path.length === 0) return 'a file holds top-level keys: schema, extensions, enums, sequences, tables';
  if (want === 'object' && Array.isArray(data)) {
    const first = (data[0] ?? {}) as { name?: unknown; type?: unknown };
    if (last === 'columns' && typeof first.name === 'string') {
      return `columns are keyed by name: ${first.name}: { type: ${String(first.type ?? '…')} }`;
    }
    return 'entries here are keyed by name (name: { … }), not a list';
  }
  if (want.includes('object') && typeof data === 'string' && path.at(-2) === 'columns') {
    return `write ${String(last)}: { type: ${data} }`;
  }
  if (last === 'references' && want === 'string') {
    return 'write table.column, e.g. references: parents.id, or declare it under foreignKeys for the long form';
  }
  return null;
}

function report(doc: ParsedDocument, e: ErrorObject, sink: DiagnosticSink): void {
  const path = typedPath(doc, e.instancePath);
  const owner = describeOwner(path);
  switch (e.keyword) {
    case 'if':
      return;
    case 'additionalProperties': {
      const key = String((e.params as { additionalProperty: string }).additionalProperty);
      const props = Object.keys((e.parentSchema?.properties as Record<string, unknown> | undefined) ?? {});
      const hint =
        didYouMean(key, props) ?? (props.length > 0 ? `valid keys here: ${props.join(', ')}` : null);
      sink.add(
        doc,
        [...path, key],
        'unknown-key',
        `unknown key "${key}" ${path.length === 0 ? 'at' : 'in'} ${owner}`,
        { hint },
      );
      return;
    }
    case 'required': {
      const missing = String((e.params as { missingProperty: string }).missingProperty);
      sink.add(doc, path, 'missing-key', `${owner} is missing the required key "${missing}"`);
      return;
    }
    case 'type': {
      const want = String((e.params as { type: unknown }).type);
      const got =
        typeOf(e.data) === 'number' || typeOf(e.data) === 'integer'
          ? `a number (${written(doc, path, e.data)})`
          : shown(e.data);
      sink.add(doc, path, 'wrong-type', `${subject(path)} must be ${expectedWords(want)}, not ${got}`, {
        hint: typeHint(doc, path, want, e.data),
        which: 'value',
      });
      return;
    }
    case 'enum': {
      const allowed = ((e.params as { allowedValues: unknown[] }).allowedValues ?? []).map((v) => String(v));
      const got = String(e.data);
      const near = typeof e.data === 'string' ? closest(got, allowed) : null;
      sink.add(
        doc,
        path,
        'invalid-value',
        `invalid ${subject(path)}: ${JSON.stringify(e.data)}; expected one of: ${allowed.join(', ')}`,
        { hint: near === null ? null : `did you mean "${near}"?`, which: 'value' },
      );
      return;
    }
    case 'minItems':
    case 'minProperties':
    case 'minLength':
      sink.add(doc, path, 'empty', `${subject(path)} must not be empty`, { which: 'value', hint: null });
      return;
    case 'pattern': {
      const integer = String((e.params as { pattern: string }).pattern).includes('0-9]+$');
      const expected = integer ? 'an integer' : 'a lower-case name';
      sink.add(doc, path, 'wrong-type', `${subject(path)} must be ${expected}, not ${shown(e.data)}`, {
        which: 'value',
      });
      return;
    }
    default:
      sink.add(doc, path, 'invalid-value', `${subject(path)} ${e.message ?? 'is invalid'}`, {
        which: 'value',
      });
  }
}
