import type { Index, IndexKey } from '../model/types.js';
import type { TableColumns } from './map-tables.js';
import type { CatalogRows } from './queries/index.js';

type IndexRow = CatalogRows['indexes'][number];

function key(r: IndexRow, columns: TableColumns | undefined): IndexKey {
  const column = r.attnum === 0 ? null : (columns?.[r.attnum] ?? null);
  const option = r.option ?? 0;
  const order = option & 1 ? 'desc' : 'asc';
  const nullsFirst = (option & 2) !== 0;
  // A collation is a written fact only when it differs from what the key would get anyway.
  const implied = column ? column.collationOid : r.expressionTypeCollation;
  const collation = r.collationOid && r.collationOid !== implied ? r.collation : null;
  return {
    column: column?.name ?? null,
    expression: column ? null : r.expression,
    opclass: r.opclass,
    collation,
    order,
    // NULLS LAST is the default for ASC and NULLS FIRST for DESC; only the other placement is a written fact.
    nulls: order === 'asc' ? (nullsFirst ? 'first' : null) : nullsFirst ? null : 'last',
  };
}

/** Indexes by table oid, from one row per index column. */
export function mapIndexes(
  rows: CatalogRows['indexes'],
  columnsOf: (tableOid: number) => TableColumns | undefined,
): ReadonlyMap<number, Index[]> {
  const byIndex = new Map<number, IndexRow[]>();
  for (const r of rows) {
    const list = byIndex.get(r.indexOid);
    if (list) list.push(r);
    else byIndex.set(r.indexOid, [r]);
  }
  const byTable = new Map<number, Index[]>();
  for (const list of byIndex.values()) {
    list.sort((a, b) => a.position - b.position);
    const first = list[0]!;
    const columns = columnsOf(first.tableOid);
    const index: Index = {
      name: first.name,
      unique: first.unique,
      method: first.method,
      keys: list.slice(0, first.keyCount).map((r) => key(r, columns)),
      include: list.slice(first.keyCount).map((r) => columns?.[r.attnum]?.name ?? ''),
      where: first.predicate,
      nullsNotDistinct: first.nullsNotDistinct,
      valid: first.valid,
      comment: first.comment,
    };
    const forTable = byTable.get(first.tableOid);
    if (forTable) forTable.push(index);
    else byTable.set(first.tableOid, [index]);
  }
  return byTable;
}
