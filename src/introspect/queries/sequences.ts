import { type Kysely, sql } from 'kysely';
import type { Catalog } from '../../db/kysely.js';
import { description, inManaged, notExtensionOwned, type QueryContext } from './shared.js';

/**
 * All sequences in the managed schemas with their options, and their owner when a column owns them: deptype
 * 'a' is OWNED BY (serial), 'i' an identity column's internal sequence (its options go on the column).
 */
export function sequencesQuery(db: Kysely<Catalog>, ctx: QueryContext) {
  return db
    .selectFrom('pg_class as c')
    .innerJoin('pg_namespace as n', 'n.oid', 'c.relnamespace')
    .innerJoin('pg_sequence as s', 's.seqrelid', 'c.oid')
    .leftJoin('pg_depend as dep', (join) =>
      join
        .onRef('dep.objid', '=', 'c.oid')
        .on(sql<boolean>`dep.classid = 'pg_class'::regclass and dep.refclassid = 'pg_class'::regclass`)
        .on('dep.deptype', 'in', ['a', 'i']),
    )
    .leftJoin('pg_class as oc', 'oc.oid', 'dep.refobjid')
    .leftJoin('pg_attribute as oa', (join) =>
      join.onRef('oa.attrelid', '=', 'dep.refobjid').onRef('oa.attnum', '=', 'dep.refobjsubid'),
    )
    .select([
      'n.nspname as schema',
      'c.relname as name',
      sql<string>`format_type(s.seqtypid, null)`.as('type'),
      sql<string>`s.seqstart::text`.as('start'),
      sql<string>`s.seqincrement::text`.as('increment'),
      sql<string>`s.seqmin::text`.as('min'),
      sql<string>`s.seqmax::text`.as('max'),
      sql<string>`s.seqcache::text`.as('cache'),
      's.seqcycle as cycle',
      'dep.deptype as ownerDependency',
      'dep.refobjid as ownerOid',
      'dep.refobjsubid as ownerAttnum',
      'oc.relname as ownerTable',
      'oa.attname as ownerColumn',
      description('pg_class', 'c.oid').as('comment'),
    ])
    .where(inManaged('n.nspname', ctx))
    .where('c.relkind', '=', 'S')
    .where(notExtensionOwned('pg_class', 'c.oid'));
}
