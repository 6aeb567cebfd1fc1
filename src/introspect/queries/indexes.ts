import { type Kysely, sql } from 'kysely';
import type { Catalog } from '../../db/kysely.js';
import { description, inManaged, type QueryContext, visibleName } from './shared.js';

/**
 * Indexes of the ordinary tables in the managed schemas, except those backing a primary key, unique or
 * exclusion constraint (the constraint is the object the user wrote). Per-key facts come back as parallel
 * arrays, one entry per index column (key columns first, then INCLUDE columns):
 * - column: the table column, null for an expression key;
 * - expression: `pg_get_indexdef(index, n, true)`, only computed for expression keys (it is the costly call);
 * - opclass: only when not the default one for the type;
 * - collation: only when not the column's (or, for an expression, the type's) collation;
 * - option: indoption, bit 0 DESC, bit 1 NULLS FIRST.
 */
export function indexesQuery(db: Kysely<Catalog>, ctx: QueryContext) {
  const nullsNotDistinct =
    ctx.versionNum >= 150000 ? sql<boolean>`i.indnullsnotdistinct` : sql<boolean>`false`;
  const keys = sql<{ columns: never }>`lateral (
    select
      array_agg(a.attname::text order by k.ord) as columns,
      array_agg(case when k.attnum = 0 then pg_get_indexdef(i.indexrelid, k.ord::int, true) end order by k.ord) as expressions,
      array_agg(case when oc.opcdefault then null else ${visibleName('ocn.nspname', 'oc.opcname')} end order by k.ord) as opclasses,
      array_agg(case when k.coll <> 0 and k.coll <> coalesce(a.attcollation, et.typcollation) then ${visibleName('con.nspname', 'co.collname')} end order by k.ord) as collations,
      array_agg(k.opt order by k.ord) as options
    from unnest(i.indkey::int2[], i.indclass::oid[], i.indcollation::oid[], i.indoption::int2[])
      with ordinality as k(attnum, opclass, coll, opt, ord)
    left join pg_attribute a on a.attrelid = i.indrelid and a.attnum = k.attnum and k.attnum <> 0
    left join pg_attribute ia on ia.attrelid = i.indexrelid and ia.attnum = k.ord and k.attnum = 0
    left join pg_type et on et.oid = ia.atttypid
    left join pg_opclass oc on oc.oid = k.opclass
    left join pg_namespace ocn on ocn.oid = oc.opcnamespace
    left join pg_collation co on co.oid = k.coll
    left join pg_namespace con on con.oid = co.collnamespace
  )`;
  return db
    .selectFrom('pg_index as i')
    .innerJoin('pg_class as ic', 'ic.oid', 'i.indexrelid')
    .innerJoin('pg_class as c', 'c.oid', 'i.indrelid')
    .innerJoin('pg_namespace as n', 'n.oid', 'c.relnamespace')
    .innerJoin('pg_am as am', 'am.oid', 'ic.relam')
    .crossJoin(keys.as('keys'))
    .select([
      'i.indrelid as tableOid',
      'ic.relname as name',
      'i.indisunique as unique',
      'i.indisvalid as valid',
      'am.amname as method',
      'i.indnkeyatts as keyCount',
      nullsNotDistinct.as('nullsNotDistinct'),
      sql<string | null>`pg_get_expr(i.indpred, i.indrelid, true)`.as('predicate'),
      sql<(string | null)[]>`keys.columns`.as('columns'),
      sql<(string | null)[]>`keys.expressions`.as('expressions'),
      sql<(string | null)[]>`keys.opclasses`.as('opclasses'),
      sql<(string | null)[]>`keys.collations`.as('collations'),
      sql<(number | null)[]>`keys.options`.as('options'),
      description('pg_class', 'i.indexrelid').as('comment'),
    ])
    .where(inManaged('n.nspname', ctx))
    .where('c.relkind', '=', 'r')
    .where('c.relispartition', '=', false)
    .where(
      sql<boolean>`not exists (select 1 from pg_constraint x where x.conindid = i.indexrelid and x.contype in ('p', 'u', 'x'))`,
    );
}
