import { type Kysely, sql } from 'kysely';
import type { Catalog } from '../../db/kysely.js';
import { description, inManaged, type QueryContext } from './shared.js';

/**
 * Primary keys, uniques, checks and foreign keys of the ordinary tables in the managed schemas, without the
 * clones PostgreSQL makes of a foreign key to a partitioned table (for each partition, on the referencing
 * table; conparentid names the original, and PostgreSQL creates and drops them with it). PostgreSQL 18
 * also lists NOT NULL as constraints (contype 'n'); those stay column facts (attnotnull) and are not read here.
 *
 * Column numbers come back raw and are named from the columns query while mapping (one lookup per row in SQL
 * would double this query's cost); only a referenced table whose columns that query does not read (another
 * schema, a partitioned table) has its column names resolved here.
 */
export function constraintsQuery(db: Kysely<Catalog>, ctx: QueryContext) {
  // indnullsnotdistinct exists from PostgreSQL 15; before that every unique treats NULLs as distinct.
  const nullsNotDistinct =
    ctx.versionNum >= 150000 ? sql<boolean>`coalesce(ix.indnullsnotdistinct, false)` : sql<boolean>`false`;
  const referencedIsRead = sql<boolean>`(rc.relkind = 'r' and not rc.relispartition and ${inManaged('rn.nspname', ctx)})`;
  return db
    .selectFrom('pg_constraint as ct')
    .innerJoin('pg_class as c', 'c.oid', 'ct.conrelid')
    .innerJoin('pg_namespace as n', 'n.oid', 'c.relnamespace')
    .leftJoin('pg_class as rc', 'rc.oid', 'ct.confrelid')
    .leftJoin('pg_namespace as rn', 'rn.oid', 'rc.relnamespace')
    .leftJoin('pg_index as ix', (join) =>
      join.onRef('ix.indexrelid', '=', 'ct.conindid').on('ct.contype', '=', 'u'),
    )
    .select([
      'ct.conrelid as tableOid',
      'ct.conname as name',
      'ct.contype as type',
      'ct.condeferrable as deferrable',
      'ct.condeferred as deferred',
      'ct.convalidated as valid',
      'ct.connoinherit as noInherit',
      'ct.confupdtype as onUpdate',
      'ct.confdeltype as onDelete',
      'ct.confmatchtype as match',
      sql<number[]>`ct.conkey`.as('columnNumbers'),
      'ct.confrelid as refTableOid',
      'rn.nspname as refSchema',
      'rc.relname as refTable',
      sql<number[] | null>`ct.confkey`.as('refColumnNumbers'),
      sql<string[] | null>`case when ct.contype = 'f' and not ${referencedIsRead} then
        array(select a.attname::text from unnest(ct.confkey) with ordinality k(attnum, ord)
              join pg_attribute a on a.attrelid = ct.confrelid and a.attnum = k.attnum order by k.ord) end`.as(
        'refColumns',
      ),
      sql<string | null>`case when ct.contype = 'c' then pg_get_expr(ct.conbin, ct.conrelid, true) end`.as(
        'expression',
      ),
      nullsNotDistinct.as('nullsNotDistinct'),
      description('pg_constraint', 'ct.oid').as('comment'),
    ])
    .where(inManaged('n.nspname', ctx))
    .where('c.relkind', '=', 'r')
    .where('c.relispartition', '=', false)
    .where('ct.contype', 'in', ['p', 'u', 'c', 'f'])
    .where('ct.conparentid', '=', 0);
}
