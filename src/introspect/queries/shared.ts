import { type RawBuilder, sql } from 'kysely';

/**
 * SQL fragments shared by the catalog queries. Every query filters by namespace name against one small array
 * parameter (the managed schemas), never by a list of table oids: `= ANY` over thousands of oids is a linear
 * scan per row, while a handful of schema names is free. Rows of relations we do not keep (partitions,
 * inherited children, ignored or extension-owned tables) are dropped while mapping, by oid.
 */

export interface QueryContext {
  /** Schemas whose objects are read: configured, minus the ledger schema and system schemas. */
  readonly managed: readonly string[];
  /** `server_version_num` of the server being read. */
  readonly versionNum: number;
}

export function inManaged(namespaceColumn: string, ctx: QueryContext): RawBuilder<boolean> {
  return sql<boolean>`${sql.ref(namespaceColumn)} = any(${[...ctx.managed]}::name[])`;
}

/**
 * True unless the object is a member of an extension (pg_depend deptype 'e') or an internal part of another
 * object (deptype 'i', e.g. the constructor functions of a range type): neither is something the user wrote.
 */
export function notExtensionOwned(
  catalog: 'pg_class' | 'pg_proc' | 'pg_type',
  oidColumn: string,
): RawBuilder<boolean> {
  // Identity sequences are internal to their column but still read (their options go on the column).
  const deptypes = catalog === 'pg_class' ? sql`('e')` : sql`('e', 'i')`;
  return sql<boolean>`not exists (select 1 from pg_depend e where e.classid = ${sql.lit(catalog)}::regclass and e.objid = ${sql.ref(oidColumn)} and e.deptype in ${deptypes})`;
}

/**
 * The name of a collation or operator class as SQL would reference it under tidemark's fixed
 * `search_path = public`: bare when it lives in pg_catalog or public, else schema-qualified with each part
 * quoted as needed.
 */
export function visibleName(namespaceColumn: string, nameColumn: string): RawBuilder<string> {
  const nsp = sql.ref(namespaceColumn);
  const name = sql.ref(nameColumn);
  return sql<string>`case when ${nsp} in ('pg_catalog', 'public') then ${name}::text else quote_ident(${nsp}) || '.' || quote_ident(${name}) end`;
}

/** The comment of an object, by catalog and oid (and sub-id for columns), through pg_description's index. */
export function description(
  catalog: string,
  oidColumn: string,
  subIdColumn?: string,
): RawBuilder<string | null> {
  const subId = subIdColumn ? sql.ref(subIdColumn) : sql.lit(0);
  return sql<
    string | null
  >`(select d.description from pg_description d where d.objoid = ${sql.ref(oidColumn)} and d.classoid = ${sql.lit(catalog)}::regclass and d.objsubid = ${subId})`;
}
