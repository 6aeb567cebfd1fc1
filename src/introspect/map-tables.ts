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
  PrimaryKey,
  QualifiedName,
  Table,
  TableStats,
  UniqueConstraint,
} from '../model/types.js';
import { mapIndexes } from './map-indexes.js';
import type { CatalogRows } from './queries/index.js';

/** What constraints and indexes need to know of a column they name by number. */
export interface ColumnInfo {
  readonly name: string;
  readonly collationOid: number;
}

/** Columns of one table indexed by attnum (a sparse array: dropped columns leave holes). */
export type TableColumns = readonly (ColumnInfo | undefined)[];

type ColumnsByTable = ReadonlyMap<number, TableColumns>;

/**
 * Every column read, by table oid and attnum, including those of tables left out of the model. The rows
 * themselves serve as ColumnInfo: at 60,000 columns another object each is measurable.
 */
function columnsByTable(rows: readonly Row<'columns'>[]): ColumnsByTable {
  const byTable = new Map<number, ColumnInfo[]>();
  let current: ColumnInfo[] = [];
  let currentOid = -1;
  for (const r of rows) {
    // Rows arrive grouped by table, so the map is consulted once per table, not once per column.
    if (r.tableOid !== currentOid) {
      currentOid = r.tableOid;
      current = byTable.get(currentOid) ?? [];
      byTable.set(currentOid, current);
    }
    current[r.attnum] = r;
  }
  return byTable;
}

/**
 * Column rows by table oid, then attnum: the order a table's columns are listed in. The query leaves the order
 * to the plan, which nearly always reads them so already; they are sorted only when not.
 */
export function inTableOrder<R extends { tableOid: number; attnum: number }>(
  rows: readonly R[],
): readonly R[] {
  const before = (a: R, b: R) =>
    a.tableOid < b.tableOid || (a.tableOid === b.tableOid && a.attnum < b.attnum);
  for (let i = 1; i < rows.length; i++) {
    if (!before(rows[i - 1]!, rows[i]!))
      return [...rows].sort((a, b) => a.tableOid - b.tableOid || a.attnum - b.attnum);
  }
  return rows;
}

function names(numbers: readonly number[] | null, columns: TableColumns | undefined): string[] {
  return (numbers ?? []).map((n) => columns?.[n]?.name ?? '');
}

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

function addConstraint(parts: TableParts, r: Row<'constraints'>, columnsOf: ColumnsByTable): void {
  const columns = names(r.columnNumbers, columnsOf.get(r.tableOid));
  switch (r.type) {
    case 'p':
      parts.primaryKey = { name: r.name, columns, comment: r.comment };
      return;
    case 'u':
      parts.uniques.push({
        name: r.name,
        columns,
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
        columns,
        references: {
          schema: r.refSchema ?? '',
          table: r.refTable ?? '',
          columns: r.refColumns ?? names(r.refColumnNumbers, columnsOf.get(r.refTableOid)),
        },
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
  const columns = inTableOrder(rows.columns);
  let current: TableParts | undefined;
  let currentOid = -1;
  for (const r of columns) {
    if (r.tableOid !== currentOid) {
      currentOid = r.tableOid;
      current = parts.get(currentOid);
    }
    current?.columns.push(column(r, identities));
  }
  const columnsOf = columnsByTable(columns);
  for (const r of rows.constraints) {
    const p = parts.get(r.tableOid);
    if (p) addConstraint(p, r, columnsOf);
  }
  for (const [tableOid, indexes] of mapIndexes(rows.indexes, (oid) => columnsOf.get(oid))) {
    parts.get(tableOid)?.indexes.push(...indexes);
  }
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
