import type { RequiredKind, SequenceOptions } from '../model/types.js';
import type { DiagnosticSink } from './diagnostic.js';
import { isRecord, setOrigin, splitQualified, str, strList } from './origin.js';
import type { ParsedDocument } from './source.js';
import type { DesiredEnum, DesiredExtension, DesiredRequired, DesiredSequence } from './types.js';

/** Enums, sequences and extensions of one document → their desired shapes. */

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

export function normaliseEnum(
  doc: ParsedDocument,
  namespace: string,
  key: string,
  raw: unknown,
): DesiredEnum {
  const path = ['enums', key];
  const e = isRecord(raw) ? raw : {};
  const renames = isRecord(e.renameValues) ? e.renameValues : {};
  const valueRenames: Record<string, string> = {};
  for (const [n, o] of Object.entries(renames)) if (typeof o === 'string') valueRenames[n] = o;
  const value: DesiredEnum = {
    ...splitQualified(key, namespace),
    values: Array.isArray(raw) ? strList(raw) : strList(e.values),
    comment: str(e.comment),
    source: doc.at(path),
    renamedFrom: strList(e.renamedFrom),
    valueRenames,
  };
  const valuesPath = Array.isArray(raw) ? path : [...path, 'values'];
  return setOrigin(value, {
    doc,
    path,
    namespace,
    columnPath: (i) => [...valuesPath, i],
    renamedFromPath: [...path, 'renamedFrom'],
  });
}

export function normaliseSequence(
  doc: ParsedDocument,
  namespace: string,
  key: string,
  raw: unknown,
  sink: DiagnosticSink,
): DesiredSequence {
  const path = ['sequences', key];
  const s = isRecord(raw) ? raw : {};
  const options: Mutable<Partial<SequenceOptions>> = {};
  const num = (x: unknown) => (typeof x === 'number' || typeof x === 'string' ? String(x) : undefined);
  const set = (k: 'start' | 'increment' | 'min' | 'max' | 'cache', x: unknown) => {
    const n = num(x);
    if (n !== undefined) options[k] = n;
  };
  if (typeof s.type === 'string') options.type = s.type;
  set('start', s.start);
  set('increment', s.increment);
  set('min', s.minValue);
  set('max', s.maxValue);
  set('cache', s.cache);
  if (typeof s.cycle === 'boolean') options.cycle = s.cycle;
  let ownedBy: DesiredSequence['ownedBy'] = null;
  if (typeof s.ownedBy === 'string') {
    const parts = s.ownedBy.split('.');
    if (parts.length === 2 && parts[0] && parts[1]) ownedBy = { table: parts[0], column: parts[1] };
    else {
      sink.add(
        doc,
        [...path, 'ownedBy'],
        'invalid-reference',
        `ownedBy of sequence ${key} must be table.column, not "${s.ownedBy}"`,
        {
          which: 'value',
          hint: "the owning table is in the sequence's schema; write its name and the column: invoices.number",
        },
      );
    }
  }
  const value: DesiredSequence = {
    ...splitQualified(key, namespace),
    ownedBy,
    comment: str(s.comment),
    options,
    source: doc.at(path),
    renamedFrom: strList(s.renamedFrom),
  };
  return setOrigin(value, { doc, path, namespace, renamedFromPath: [...path, 'renamedFrom'] });
}

/** Extensions go to `public` unless a schema is written: where CREATE EXTENSION puts them by default. */
export function normaliseExtension(
  doc: ParsedDocument,
  namespace: string,
  index: number,
  raw: unknown,
): DesiredExtension {
  const path = ['extensions', index];
  const e = isRecord(raw) ? raw : {};
  const value: DesiredExtension = {
    name: str(raw) ?? str(e.name) ?? '',
    schema: str(e.schema) ?? 'public',
    version: str(e.version),
    source: doc.at(path, 'value'),
  };
  return setOrigin(value, { doc, path, namespace });
}

const REQUIRED_KINDS: readonly RequiredKind[] = ['domain', 'type', 'function'];

/** A `requires:` entry (the JSON Schema has checked its keys): it names exactly one object. */
export function normaliseRequired(
  doc: ParsedDocument,
  index: number,
  raw: unknown,
  sink: DiagnosticSink,
): DesiredRequired {
  const path = ['requires', index];
  const r = isRecord(raw) ? raw : {};
  const named = REQUIRED_KINDS.filter((k) => r[k] !== undefined);
  if (isRecord(raw) && named.length !== 1) {
    sink.add(
      doc,
      path,
      'required-kind',
      `required object #${index + 1} must name exactly one of domain, type or function${named.length > 1 ? `, not ${named.join(' and ')}` : ''}`,
      {
        which: 'value',
        hint: 'one entry per object, e.g. { domain: public.positive_amount, sql: CREATE DOMAIN … }',
      },
    );
  }
  const kind = named[0] ?? 'function';
  return { kind, name: str(r[kind]) ?? '', sql: str(r.sql) ?? '', source: doc.at(path, 'value') };
}
