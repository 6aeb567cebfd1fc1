import { type Kysely, sql } from 'kysely';
import type { Catalog } from '../../db/kysely.js';
import { description, inManaged, notExtensionOwned, type QueryContext } from './shared.js';

/**
 * Every relation-like object in the managed schemas except sequences and indexes: the tables we manage and the
 * views, partitions, inherited children, foreign tables and composite types we only report.
 */
export function relationsQuery(db: Kysely<Catalog>, ctx: QueryContext) {
  return db
    .selectFrom('pg_class as c')
    .innerJoin('pg_namespace as n', 'n.oid', 'c.relnamespace')
    .select([
      'c.oid',
      'n.nspname as schema',
      'c.relname as name',
      'c.relkind as kind',
      'c.relispartition as isPartition',
      // Partitions are inheritance children too; only a plain INHERITS child is "inherited" here.
      sql<boolean>`(not c.relispartition and exists (select 1 from pg_inherits i where i.inhrelid = c.oid))`.as(
        'isInherited',
      ),
      'c.reltuples as estimatedRows',
      sql<
        string | null
      >`case when c.relkind = 'r' and not c.relispartition then pg_total_relation_size(c.oid) end`.as(
        'totalBytes',
      ),
      description('pg_class', 'c.oid').as('comment'),
    ])
    .where(inManaged('n.nspname', ctx))
    .where('c.relkind', 'in', ['r', 'p', 'v', 'm', 'f', 'c'])
    .where(notExtensionOwned('pg_class', 'c.oid'));
}
