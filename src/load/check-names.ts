import type { DiagnosticSink } from './diagnostic.js';
import { byteLength, MAX_IDENTIFIER_BYTES, makeObjectName } from './names.js';
import { originOf } from './origin.js';
import type { DataPath } from './source.js';
import type { DesiredEnum, DesiredExtension, DesiredSequence, DesiredTable, SourceRef } from './types.js';

/**
 * Name checks across the whole file set: an object defined twice, two objects sharing one PostgreSQL
 * namespace (tables, sequences and indexes share pg_class; enums share pg_type with tables' row types),
 * renamedFrom hints that collide with a defined name, and names PostgreSQL would silently truncate.
 */

const where = (s: SourceRef) => `${s.file}:${s.line}:${s.col}`;

interface Named {
  readonly kind: string;
  /** The table an index or constraint belongs to. */
  readonly table?: string;
  readonly display: string;
  readonly value: object;
  readonly source: SourceRef;
}

export interface TypeSets {
  readonly tables: readonly DesiredTable[];
  readonly enums: readonly DesiredEnum[];
  readonly sequences: readonly DesiredSequence[];
  readonly extensions: readonly DesiredExtension[];
}

/** Reports a later definition of a key already seen; returns the objects kept (first definitions). */
export function firstDefinitions<T extends object>(
  list: readonly T[],
  key: (v: T) => string,
  describe: (v: T) => string,
  source: (v: T) => SourceRef,
  sink: DiagnosticSink,
): T[] {
  const seen = new Map<string, T>();
  for (const v of list) {
    const k = key(v);
    const first = seen.get(k);
    if (first === undefined) {
      seen.set(k, v);
      continue;
    }
    const o = originOf(v);
    sink.add(o.doc, o.path, 'duplicate-definition', `${describe(v)} is defined twice`, {
      hint: `it is already defined at ${where(source(first))}; keep one definition`,
    });
  }
  return [...seen.values()];
}

/** One schema's relation names: tables, sequences, indexes and the indexes behind PK/unique constraints. */
export function checkSharedNamespaces(sets: TypeSets, sink: DiagnosticSink): void {
  const label = (n: Named) => `${n.kind} ${n.display}${n.table ? ` on table ${n.table}` : ''}`;
  const claim = (schema: string, n: Named, map: Map<string, Named>, what: string) => {
    const k = `${schema}\0${n.display}`;
    const first = map.get(k);
    if (!first) {
      map.set(k, n);
      return;
    }
    const o = originOf(n.value);
    sink.add(o.doc, o.path, 'name-conflict', `${label(n)} has the same name as ${label(first)}`, {
      hint: `${what} share one namespace per schema; the other is at ${where(first.source)}`,
    });
  };
  const named = (kind: string, v: { name: string; source: SourceRef }, table?: string): Named => ({
    kind,
    display: v.name,
    value: v,
    source: v.source,
    ...(table === undefined ? {} : { table }),
  });
  const relations = new Map<string, Named>();
  const rel = 'tables, sequences, indexes and primary-key/unique constraints';
  for (const t of sets.tables) claim(t.schema, named('table', t), relations, rel);
  for (const s of sets.sequences) claim(s.schema, named('sequence', s), relations, rel);
  for (const t of sets.tables) {
    if (t.primaryKey) claim(t.schema, named('primary key', t.primaryKey, t.name), relations, rel);
    for (const u of t.uniques) claim(t.schema, named('unique constraint', u, t.name), relations, rel);
    for (const i of t.indexes) claim(t.schema, named('index', i, t.name), relations, rel);
  }
  const types = new Map<string, Named>();
  const typ = 'enums and tables (each table has a row type of its name)';
  for (const t of sets.tables) claim(t.schema, named('table', t), types, typ);
  for (const e of sets.enums) claim(e.schema, named('enum', e), types, typ);
  for (const t of sets.tables) checkConstraintNames(t, sink);
}

function checkConstraintNames(t: DesiredTable, sink: DiagnosticSink): void {
  const seen = new Map<string, SourceRef>();
  const all = [...(t.primaryKey ? [t.primaryKey] : []), ...t.uniques, ...t.checks, ...t.foreignKeys];
  for (const c of all) {
    const first = seen.get(c.name);
    if (!first) {
      seen.set(c.name, c.source);
      continue;
    }
    const o = originOf(c);
    sink.add(o.doc, o.path, 'name-conflict', `constraint ${c.name} of table ${t.name} is defined twice`, {
      hint: `constraint names are unique per table; the other is at ${where(first)}`,
    });
  }
}

/** A renamedFrom naming something that is also defined would rename one object onto another. */
export function checkRenames(
  kind: string,
  objects: readonly { readonly name: string; readonly renamedFrom: readonly string[] }[],
  scope: string,
  sink: DiagnosticSink,
): void {
  const defined = new Set(objects.map((o) => o.name));
  const claimed = new Map<string, string>();
  for (const o of objects) {
    const origin = originOf(o);
    const path: DataPath = origin.renamedFromPath ?? origin.path;
    for (const old of o.renamedFrom) {
      if (old === o.name) {
        sink.add(
          origin.doc,
          path,
          'rename-collision',
          `${kind} ${o.name} is renamedFrom its own name${scope}`,
          {
            which: 'value',
            hint: 'renamedFrom lists the names it had before; remove this entry',
          },
        );
      } else if (defined.has(old)) {
        sink.add(
          origin.doc,
          path,
          'rename-collision',
          `${kind} ${o.name} is renamedFrom "${old}", but ${kind} ${old} is also defined${scope}`,
          {
            which: 'value',
            hint: `a rename needs the old name to be free: remove renamedFrom, or drop ${kind} ${old} from the YAML`,
          },
        );
      }
      const other = claimed.get(old);
      if (other !== undefined && other !== o.name) {
        sink.add(
          origin.doc,
          path,
          'rename-collision',
          `${kind} ${o.name} and ${kind} ${other} are both renamedFrom "${old}"${scope}`,
          {
            which: 'value',
            hint: `only one ${kind} can take over ${old}`,
          },
        );
      }
      claimed.set(old, o.name);
    }
  }
}

/** PostgreSQL silently truncates longer names, so the object would never match its YAML key. */
export function checkLength(
  value: object,
  name: string,
  kind: string,
  sink: DiagnosticSink,
  path?: DataPath,
): void {
  if (byteLength(name) <= MAX_IDENTIFIER_BYTES) return;
  const o = originOf(value);
  sink.add(
    o.doc,
    path ?? o.path,
    'name-too-long',
    `${kind} name "${name}" is longer than ${MAX_IDENTIFIER_BYTES} bytes`,
    {
      hint: `PostgreSQL would truncate it to "${makeObjectName(name, null, null)}"; choose a shorter name`,
    },
  );
}
