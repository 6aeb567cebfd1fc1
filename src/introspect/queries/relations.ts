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
      // On-disk size from relpages (table, TOAST, indexes), as fresh as reltuples. pg_total_relation_size
      // would stat every file of every table and index (most of this query's time at 5,000 tables) and take an
      // AccessShareLock on each, queueing the read behind the ACCESS EXCLUSIVE lock of any running migration.
      sql<string | null>`case when c.relkind = 'r' and not c.relispartition then
        (c.relpages::bigint
          + coalesce((select t.relpages from pg_class t where t.oid = c.reltoastrelid), 0)
          + coalesce((select sum(x.relpages) from pg_index xi join pg_class x on x.oid = xi.indexrelid where xi.indrelid = c.oid), 0)
        ) * current_setting('block_size')::bigint end`.as('totalBytes'),
      description('pg_class', 'c.oid').as('comment'),
    ])
    .where(inManaged('n.nspname', ctx))
    .where('c.relkind', 'in', ['r', 'p', 'v', 'm', 'f', 'c'])
    .where(notExtensionOwned('pg_class', 'c.oid'));
}
