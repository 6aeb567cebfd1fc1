import { byName, compareQualified } from '../model/keys.js';
import type {
  CheckConstraint,
  Column,
  Deferrable,
  ForeignKey,
  ForeignKeyAction,
  ForeignKeyMatch,
  Identity,
  Index,
  IndexKey,
  PrimaryKey,
  QualifiedName,
  Table,
  TableStats,
  UniqueConstraint,
} from '../model/types.js';
import type { CatalogRows } from './queries/index.js';

type Row<K extends keyof CatalogRows> = CatalogRows[K][number];

interface TableParts {
  readonly name: QualifiedName;
  readonly comment: string | null;
  readonly columns: Column[];
  primaryKey: PrimaryKey | null;
  readonly uniques: UniqueConstraint[];
  readonly checks: CheckConstraint[];
  readonly foreignKeys: ForeignKey[];
  readonly indexes: Index[];
}

function deferrable(r: { deferrable: boolean; deferred: boolean }): Deferrable {
  return r.deferrable ? (r.deferred ? 'deferred' : 'immediate') : false;
}

function action(code: string): ForeignKeyAction {
  switch (code) {
    case 'r':
      return 'restrict';
    case 'c':
      return 'cascade';
    case 'n':
      return 'set null';
    case 'd':
      return 'set default';
    default:
      return 'no action';
  }
}

function match(code: string): ForeignKeyMatch {
  return code === 'f' ? 'full' : code === 'p' ? 'partial' : 'simple';
}

function column(r: Row<'columns'>, identities: ReadonlyMap<string, Identity['options']>): Column {
  const identityOptions = r.identity ? identities.get(`${r.tableOid}:${r.attnum}`) : undefined;
  // PostgreSQL 18 virtual generated columns ('v') also keep their expression in pg_attrdef.
  const generated = r.generated !== '' ? r.expression : null;
  return {
    name: r.name,
    type: r.type,
    notNull: r.notNull,
    default: r.identity || r.generated ? null : r.expression,
    identity:
      r.identity && identityOptions
        ? { kind: r.identity === 'a' ? 'always' : 'by default', options: identityOptions }
        : null,
    generated,
    collation: r.collation,
    comment: r.comment,
  };
}

function addConstraint(parts: TableParts, r: Row<'constraints'>): void {
  switch (r.type) {
    case 'p':
      parts.primaryKey = { name: r.name, columns: r.columns, comment: r.comment };
      return;
    case 'u':
      parts.uniques.push({
        name: r.name,
        columns: r.columns,
        nullsNotDistinct: r.nullsNotDistinct,
        deferrable: deferrable(r),
        comment: r.comment,
      });
      return;
    case 'c':
      parts.checks.push({
        name: r.name,
        expression: r.expression ?? '',
        noInherit: r.noInherit,
        valid: r.valid,
        comment: r.comment,
      });
      return;
    case 'f':
      parts.foreignKeys.push({
        name: r.name,
        columns: r.columns,
        references: { schema: r.refSchema ?? '', table: r.refTable ?? '', columns: r.refColumns ?? [] },
        onDelete: action(r.onDelete),
        onUpdate: action(r.onUpdate),
        match: match(r.match),
        deferrable: deferrable(r),
        valid: r.valid,
        comment: r.comment,
      });
      return;
  }
}

function index(r: Row<'indexes'>): Index {
  const keys: IndexKey[] = [];
  for (let k = 0; k < r.keyCount; k++) {
    const option = r.options[k] ?? 0;
    const order = option & 1 ? 'desc' : 'asc';
    const nullsFirst = (option & 2) !== 0;
    keys.push({
      column: r.columns[k] ?? null,
      expression: r.columns[k] ? null : (r.expressions[k] ?? null),
      opclass: r.opclasses[k] ?? null,
      collation: r.collations[k] ?? null,
      order,
      // NULLS LAST is the default for ASC and NULLS FIRST for DESC; only the other placement is a written fact.
      nulls: order === 'asc' ? (nullsFirst ? 'first' : null) : nullsFirst ? null : 'last',
    });
  }
  return {
    name: r.name,
    unique: r.unique,
    method: r.method,
    keys,
    include: r.columns.slice(r.keyCount).filter((c): c is string => c !== null),
    where: r.predicate,
    nullsNotDistinct: r.nullsNotDistinct,
    valid: r.valid,
    comment: r.comment,
  };
}

/** Ordinary tables with their columns, constraints and indexes; `keep` holds the relations that are tables. */
export function mapTables(
  rows: Pick<CatalogRows, 'columns' | 'constraints' | 'indexes'>,
  keep: ReadonlyMap<number, { readonly name: QualifiedName; readonly comment: string | null }>,
  identities: ReadonlyMap<string, Identity['options']>,
): readonly Table[] {
  const parts = new Map<number, TableParts>();
  for (const [oid, t] of keep) {
    parts.set(oid, {
      name: t.name,
      comment: t.comment,
      columns: [],
      primaryKey: null,
      uniques: [],
      checks: [],
      foreignKeys: [],
      indexes: [],
    });
  }
  // Rows arrive in attnum order per table (the query sorts them).
  for (const r of rows.columns) parts.get(r.tableOid)?.columns.push(column(r, identities));
  for (const r of rows.constraints) {
    const p = parts.get(r.tableOid);
    if (p) addConstraint(p, r);
  }
  for (const r of rows.indexes) parts.get(r.tableOid)?.indexes.push(index(r));
  const tables: Table[] = [];
  for (const p of parts.values()) {
    tables.push({
      schema: p.name.schema,
      name: p.name.name,
      columns: p.columns,
      primaryKey: p.primaryKey,
      uniques: p.uniques.sort(byName),
      checks: p.checks.sort(byName),
      foreignKeys: p.foreignKeys.sort(byName),
      indexes: p.indexes.sort(byName),
      comment: p.comment,
    });
  }
  return tables.sort(compareQualified);
}

export function mapTableStats(
  rows: CatalogRows['relations'],
  keep: ReadonlyMap<number, unknown>,
): readonly TableStats[] {
  return rows
    .filter((r) => keep.has(r.oid))
    .map((r) => ({
      schema: r.schema,
      name: r.name,
      estimatedRows: r.estimatedRows,
      totalBytes: Number(r.totalBytes ?? 0),
    }))
    .sort(compareQualified);
}
