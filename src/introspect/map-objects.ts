import { byName, compareQualified, compareStrings } from '../model/keys.js';
import type {
  EnumType,
  Extension,
  Identity,
  QualifiedName,
  SchemaDef,
  Sequence,
  SequenceOptions,
  UnmanagedKind,
  UnmanagedObject,
} from '../model/types.js';
import type { CatalogRows } from './queries/index.js';

type Row<K extends keyof CatalogRows> = CatalogRows[K][number];

export function mapSchemas(rows: CatalogRows['schemas']): readonly SchemaDef[] {
  return rows.map((r) => ({ name: r.name, comment: r.comment })).sort(byName);
}

export function mapExtensions(rows: CatalogRows['extensions']): readonly Extension[] {
  return rows
    .map((r) => ({ name: r.name, schema: r.schema, version: r.version }))
    .sort((a, b) => compareStrings(a.name, b.name));
}

export function mapEnums(
  rows: CatalogRows['types'],
  ignored: (q: QualifiedName) => boolean,
): readonly EnumType[] {
  return rows
    .filter((r) => r.kind === 'e' && !ignored(r))
    .map((r) => ({ schema: r.schema, name: r.name, values: r.values ?? [], comment: r.comment }))
    .sort(compareQualified);
}

function sequenceOptions(r: Row<'sequences'>): SequenceOptions {
  return {
    type: r.type,
    start: r.start,
    increment: r.increment,
    min: r.min,
    max: r.max,
    cache: r.cache,
    cycle: r.cycle,
  };
}

/**
 * Standalone and serial-owned sequences; identity sequences belong to their column. A sequence owned by a
 * relation that is not managed (a partitioned table, an inherited child, an ignored table or one in another
 * schema) belongs to it like its default does: PostgreSQL drops it with its owner, so it is left out.
 */
export function mapSequences(
  rows: CatalogRows['sequences'],
  ignored: (q: QualifiedName) => boolean,
  managedTables: ReadonlySet<number>,
): readonly Sequence[] {
  return rows
    .filter(
      (r) =>
        r.ownerDependency !== 'i' &&
        !ignored(r) &&
        !(r.ownerDependency === 'a' && r.ownerOid !== null && !managedTables.has(r.ownerOid)),
    )
    .map((r) => ({
      schema: r.schema,
      name: r.name,
      ...sequenceOptions(r),
      ownedBy:
        r.ownerDependency === 'a' && r.ownerTable !== null && r.ownerColumn !== null
          ? { table: r.ownerTable, column: r.ownerColumn }
          : null,
      comment: r.comment,
    }))
    .sort(compareQualified);
}

/** Identity sequence options by `tableOid:attnum`. */
export function identityOptions(rows: CatalogRows['sequences']): ReadonlyMap<string, Identity['options']> {
  const byColumn = new Map<string, Identity['options']>();
  for (const r of rows) {
    if (r.ownerDependency !== 'i') continue;
    const { type: _type, ...options } = sequenceOptions(r);
    byColumn.set(`${r.ownerOid}:${r.ownerAttnum}`, options);
  }
  return byColumn;
}

function relationKind(r: Row<'relations'>): UnmanagedKind | null {
  if (r.isPartition) return 'partition';
  if (r.isInherited) return 'inherited table';
  switch (r.kind) {
    case 'r':
      return null;
    case 'p':
      return 'partitioned table';
    case 'v':
      return 'view';
    case 'm':
      return 'materialized view';
    case 'f':
      return 'foreign table';
    case 'c':
      return 'composite type';
    default:
      return null;
  }
}

function typeKind(kind: string): UnmanagedKind | null {
  return kind === 'd' ? 'domain' : kind === 'r' ? 'range type' : null;
}

function otherKind(kind: string): UnmanagedKind | null {
  switch (kind) {
    case 'proc:f':
    case 'proc:w':
      return 'function';
    case 'proc:p':
      return 'procedure';
    case 'proc:a':
      return 'aggregate';
    case 'trigger':
      return 'trigger';
    case 'policy':
      return 'policy';
    case 'rule':
      return 'rule';
    case 'exclusion':
      return 'exclusion constraint';
    default:
      return null;
  }
}

export function compareUnmanaged(a: UnmanagedObject, b: UnmanagedObject): number {
  return (
    compareQualified(a, b) || compareStrings(a.kind, b.kind) || compareStrings(a.table ?? '', b.table ?? '')
  );
}

/** Everything found in a managed schema that the model does not hold, minus what `ignore` names. */
export function mapUnmanaged(
  rows: Pick<CatalogRows, 'relations' | 'types' | 'unmanaged'>,
  ignored: (q: QualifiedName) => boolean,
): readonly UnmanagedObject[] {
  const found: UnmanagedObject[] = [];
  const add = (kind: UnmanagedKind | null, schema: string, name: string, table: string | null) => {
    if (kind === null) return;
    if (ignored({ schema, name }) || (table !== null && ignored({ schema, name: table }))) return;
    found.push({ kind, schema, name, table });
  };
  for (const r of rows.relations) add(relationKind(r), r.schema, r.name, null);
  for (const r of rows.types) add(typeKind(r.kind), r.schema, r.name, null);
  for (const r of rows.unmanaged) add(otherKind(r.kind), r.schema, r.name, r.table);
  return found.sort(compareUnmanaged);
}
