import { type Kysely, sql } from 'kysely';
import type { Catalog } from '../../db/kysely.js';
import { description, inManaged, notExtensionOwned, type QueryContext } from './shared.js';

/** Enums (managed) and domains and range types (reported as unmanaged), in one pass over pg_type. */
export function typesQuery(db: Kysely<Catalog>, ctx: QueryContext) {
  return db
    .selectFrom('pg_type as t')
    .innerJoin('pg_namespace as n', 'n.oid', 't.typnamespace')
    .select([
      'n.nspname as schema',
      't.typname as name',
      't.typtype as kind',
      sql<
        string[] | null
      >`case when t.typtype = 'e' then array(select e.enumlabel::text from pg_enum e where e.enumtypid = t.oid order by e.enumsortorder) end`.as(
        'values',
      ),
      description('pg_type', 't.oid').as('comment'),
    ])
    .where(inManaged('n.nspname', ctx))
    .where('t.typtype', 'in', ['e', 'd', 'r'])
    .where(notExtensionOwned('pg_type', 't.oid'));
}
