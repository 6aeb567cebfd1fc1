import { type Kysely, sql } from 'kysely';
import type { Catalog } from '../../db/kysely.js';
import { description, inManaged, type QueryContext, visibleName } from './shared.js';

/** Columns of the ordinary tables in the managed schemas, in attnum order, dropped columns skipped. */
export function columnsQuery(db: Kysely<Catalog>, ctx: QueryContext) {
  return (
    db
      .selectFrom('pg_attribute as a')
      .innerJoin('pg_class as c', 'c.oid', 'a.attrelid')
      .innerJoin('pg_namespace as n', 'n.oid', 'c.relnamespace')
      .innerJoin('pg_type as t', 't.oid', 'a.atttypid')
      .leftJoin('pg_attrdef as ad', (join) =>
        join.onRef('ad.adrelid', '=', 'a.attrelid').onRef('ad.adnum', '=', 'a.attnum'),
      )
      // Only a collation that differs from the type's own default is a fact the user wrote.
      .leftJoin('pg_collation as co', (join) =>
        join.onRef('co.oid', '=', 'a.attcollation').onRef('a.attcollation', '<>', 't.typcollation'),
      )
      .leftJoin('pg_namespace as con', 'con.oid', 'co.collnamespace')
      .select([
        'a.attrelid as tableOid',
        'a.attnum as attnum',
        'a.attname as name',
        'a.attcollation as collationOid',
        sql<string>`format_type(a.atttypid, a.atttypmod)`.as('type'),
        'a.attnotnull as notNull',
        'a.attidentity as identity',
        'a.attgenerated as generated',
        sql<string | null>`pg_get_expr(ad.adbin, ad.adrelid)`.as('expression'),
        sql<
          string | null
        >`case when co.oid is not null then ${visibleName('con.nspname', 'co.collname')} end`.as('collation'),
        description('pg_class', 'a.attrelid', 'a.attnum').as('comment'),
      ])
      .where(inManaged('n.nspname', ctx))
      .where('c.relkind', '=', 'r')
      .where('c.relispartition', '=', false)
      .where('a.attnum', '>', 0)
      .where('a.attisdropped', '=', false)
      .orderBy('a.attrelid')
      .orderBy('a.attnum')
  );
}
