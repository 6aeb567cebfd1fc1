import { type Kysely, sql } from 'kysely';
import type { Catalog } from '../../db/kysely.js';
import { description, inManaged, type QueryContext } from './shared.js';

/** Column numbers of a constraint resolved to names, in the constraint's own order. */
function columnNames(keyColumn: string, relationColumn: string) {
  return sql<
    string[]
  >`array(select a.attname::text from unnest(${sql.ref(keyColumn)}) with ordinality k(attnum, ord) join pg_attribute a on a.attrelid = ${sql.ref(relationColumn)} and a.attnum = k.attnum order by k.ord)`;
}

/**
 * Primary keys, uniques, checks and foreign keys of the ordinary tables in the managed schemas. PostgreSQL 18
 * also lists NOT NULL as constraints (contype 'n'); those stay column facts (attnotnull) and are not read here.
 */
export function constraintsQuery(db: Kysely<Catalog>, ctx: QueryContext) {
  // indnullsnotdistinct exists from PostgreSQL 15; before that every unique treats NULLs as distinct.
  const nullsNotDistinct =
    ctx.versionNum >= 150000 ? sql<boolean>`coalesce(ix.indnullsnotdistinct, false)` : sql<boolean>`false`;
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
      columnNames('ct.conkey', 'ct.conrelid').as('columns'),
      'rn.nspname as refSchema',
      'rc.relname as refTable',
      sql<
        string[] | null
      >`case when ct.contype = 'f' then ${columnNames('ct.confkey', 'ct.confrelid')} end`.as('refColumns'),
      sql<string | null>`case when ct.contype = 'c' then pg_get_expr(ct.conbin, ct.conrelid, true) end`.as(
        'expression',
      ),
      nullsNotDistinct.as('nullsNotDistinct'),
      description('pg_constraint', 'ct.oid').as('comment'),
    ])
    .where(inManaged('n.nspname', ctx))
    .where('c.relkind', '=', 'r')
    .where('c.relispartition', '=', false)
    .where('ct.contype', 'in', ['p', 'u', 'c', 'f']);
}
