import type { Kysely } from 'kysely';
import type { Catalog } from '../../db/kysely.js';
import { columnsQuery } from './columns.js';
import { constraintsQuery } from './constraints.js';
import { indexesQuery } from './indexes.js';
import { relationsQuery } from './relations.js';
import { extensionsQuery, schemasQuery } from './schemas.js';
import { sequencesQuery } from './sequences.js';
import type { QueryContext } from './shared.js';
import { typesQuery } from './types.js';
import { unmanagedQuery } from './unmanaged.js';

export type { QueryContext } from './shared.js';

/**
 * The whole catalog read: one query per object kind, whatever the number of tables. The benchmark runs
 * exactly these (compiled) as its floor, so any SQL change here moves both sides of that comparison.
 */
export function catalogQueries(db: Kysely<Catalog>, ctx: QueryContext) {
  return {
    schemas: schemasQuery(db, ctx),
    extensions: extensionsQuery(db, ctx),
    types: typesQuery(db, ctx),
    relations: relationsQuery(db, ctx),
    sequences: sequencesQuery(db, ctx),
    columns: columnsQuery(db, ctx),
    constraints: constraintsQuery(db, ctx),
    indexes: indexesQuery(db, ctx),
    unmanaged: unmanagedQuery(db, ctx),
  } as const;
}

export type CatalogQueries = ReturnType<typeof catalogQueries>;

/** The row type each query returns. */
export type CatalogRows = {
  readonly [K in keyof CatalogQueries]: Awaited<ReturnType<CatalogQueries[K]['execute']>>;
};
