import { type Kysely, sql } from 'kysely';
import type { Catalog } from '../../db/kysely.js';
import { description, inManaged, type QueryContext, visibleName } from './shared.js';

/**
 * Columns of the ordinary tables in the managed schemas, dropped columns skipped. Not sorted here: the server
 * would sort 60,000 rows at 5,000 tables (spilling past the default work_mem) to give the order they nearly
 * always arrive in already; readCatalog puts them in (table, attnum) order only when they are not.
 *
 * A default is deparsed with its table only when it names a column (a generated column's expression): with a
 * table, pg_get_expr opens it, which builds the table's relcache entry in this new backend, about 80 µs a
 * table; a default like `now()` or `nextval(...)` prints the same without one.
 */
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
        sql<
          string | null
        >`pg_get_expr(ad.adbin, case when ad.adbin::text like '%{VAR %' then ad.adrelid else 0 end)`.as(
          'expression',
        ),
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
  );
}
