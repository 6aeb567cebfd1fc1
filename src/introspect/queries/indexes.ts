import { type Kysely, sql } from 'kysely';
import type { Catalog } from '../../db/kysely.js';
import { description, inManaged, type QueryContext, visibleName } from './shared.js';

/**
 * Indexes of the ordinary tables in the managed schemas, except those backing a primary key, unique or
 * exclusion constraint (the constraint is the object the user wrote): one row per index column, key columns
 * first, then INCLUDE columns, so that opclasses and collations are joined once for the whole set rather than
 * looked up per index. Index-level facts are repeated on each row; the costly per-index ones (predicate,
 * comment) only on the first.
 *
 * - attnum: the table column (named while mapping), 0 for an expression key;
 * - expression: `pg_get_indexdef(index, n, true)`, only computed for expression keys;
 * - opclass: only when not the default one for the type;
 * - collation: the key's collation, with the default one of an expression key's type to compare it to (a
 *   column key is compared to the column's own collation while mapping);
 * - option: indoption, bit 0 DESC, bit 1 NULLS FIRST.
 */
/** One entry of an index's parallel per-column arrays; opclass, collation and option are null for INCLUDE. */
export interface IndexColumn {
  attnum: number;
  opclass: number | null;
  coll: number | null;
  opt: number | null;
  ord: string;
}

export function indexesQuery(db: Kysely<Catalog>, ctx: QueryContext) {
  const nullsNotDistinct =
    ctx.versionNum >= 150000 ? sql<boolean>`i.indnullsnotdistinct` : sql<boolean>`false`;
  const keys = sql<IndexColumn>`lateral (select * from unnest(i.indkey::int2[], i.indclass::oid[], i.indcollation::oid[], i.indoption::int2[])
    with ordinality as u(attnum, opclass, coll, opt, ord))`;
  return db
    .selectFrom('pg_index as i')
    .innerJoin('pg_class as ic', 'ic.oid', 'i.indexrelid')
    .innerJoin('pg_class as c', 'c.oid', 'i.indrelid')
    .innerJoin('pg_namespace as n', 'n.oid', 'c.relnamespace')
    .innerJoin('pg_am as am', 'am.oid', 'ic.relam')
    .crossJoin(keys.as('k'))
    .leftJoin('pg_opclass as oc', 'oc.oid', 'k.opclass')
    .leftJoin('pg_namespace as ocn', 'ocn.oid', 'oc.opcnamespace')
    .leftJoin('pg_collation as co', 'co.oid', 'k.coll')
    .leftJoin('pg_namespace as con', 'con.oid', 'co.collnamespace')
    .select([
      'i.indexrelid as indexOid',
      'i.indrelid as tableOid',
      'ic.relname as name',
      'i.indisunique as unique',
      'i.indisvalid as valid',
      'am.amname as method',
      'i.indnkeyatts as keyCount',
      nullsNotDistinct.as('nullsNotDistinct'),
      sql<number>`k.ord::int`.as('position'),
      sql<number>`k.attnum::int`.as('attnum'),
      sql<string | null>`case when k.attnum = 0 then pg_get_indexdef(i.indexrelid, k.ord::int, true) end`.as(
        'expression',
      ),
      sql<string | null>`case when not oc.opcdefault then ${visibleName('ocn.nspname', 'oc.opcname')} end`.as(
        'opclass',
      ),
      sql<number | null>`k.coll`.as('collationOid'),
      sql<string | null>`case when k.coll <> 0 then ${visibleName('con.nspname', 'co.collname')} end`.as(
        'collation',
      ),
      sql<number | null>`case when k.attnum = 0 and k.coll <> 0 then
        (select t.typcollation from pg_attribute ia join pg_type t on t.oid = ia.atttypid
         where ia.attrelid = i.indexrelid and ia.attnum = k.ord) end`.as('expressionTypeCollation'),
      sql<number | null>`k.opt`.as('option'),
      sql<string | null>`case when k.ord = 1 then pg_get_expr(i.indpred, i.indrelid, true) end`.as(
        'predicate',
      ),
      sql<string | null>`case when k.ord = 1 then ${description('pg_class', 'i.indexrelid')} end`.as(
        'comment',
      ),
    ])
    .where(inManaged('n.nspname', ctx))
    .where('c.relkind', '=', 'r')
    .where('c.relispartition', '=', false)
    .where(
      sql<boolean>`not exists (select 1 from pg_constraint x where x.conindid = i.indexrelid and x.contype in ('p', 'u', 'x'))`,
    );
}
