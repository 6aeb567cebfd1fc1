import type { Kysely } from 'kysely';
import type { Catalog } from '../../db/kysely.js';
import { description, inManaged, type QueryContext } from './shared.js';

export function schemasQuery(db: Kysely<Catalog>, ctx: QueryContext) {
  return db
    .selectFrom('pg_namespace as n')
    .select(['n.nspname as name', description('pg_namespace', 'n.oid').as('comment')])
    .where(inManaged('n.nspname', ctx));
}

export function extensionsQuery(db: Kysely<Catalog>, ctx: QueryContext) {
  return db
    .selectFrom('pg_extension as x')
    .innerJoin('pg_namespace as n', 'n.oid', 'x.extnamespace')
    .select(['x.extname as name', 'n.nspname as schema', 'x.extversion as version'])
    .where(inManaged('n.nspname', ctx));
}
