import type pg from 'pg';
import { connect } from '../db/connect.js';
import { catalogDb, type QueryClient } from '../db/kysely.js';
import type { IntrospectionResult, QualifiedName } from '../model/types.js';
import {
  identityOptions,
  mapEnums,
  mapExtensions,
  mapSchemas,
  mapSequences,
  mapUnmanaged,
} from './map-objects.js';
import { mapTableStats, mapTables } from './map-tables.js';
import { type CatalogRows, catalogQueries, type QueryContext } from './queries/index.js';
import { ignoreMatcher, managedSchemas } from './scope.js';

export { LEDGER_SCHEMA } from './scope.js';

export interface IntrospectOptions {
  /** Managed schemas (config `schemas`); the ledger schema and system schemas are never read. */
  readonly schemas: readonly string[];
  /** `schema.name` glob patterns (`*` wildcard) of tables, types and sequences to leave out. */
  readonly ignore?: readonly string[];
}

/**
 * Statements that open the snapshot every catalog query reads. The fixed search_path is a project rule:
 * format_type and pg_get_expr qualify names outside it, and the live and shadow sides must be printed alike.
 */
export const SNAPSHOT_BEGIN = [
  'BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY',
  'SET LOCAL search_path = public',
];

/**
 * Read the managed part of a database's catalog into the canonical model, plus the unmanaged objects found
 * beside it. One consistent snapshot, a fixed number of set-based queries whatever the size of the schema.
 * A URL is connected to and closed here; a client is borrowed and must not be inside a transaction.
 */
export async function introspect(
  client: pg.Client | string,
  options: IntrospectOptions,
): Promise<IntrospectionResult> {
  if (typeof client === 'string') {
    const owned = await connect(client);
    try {
      return await introspect(owned, options);
    } finally {
      await owned.end().catch(() => {});
    }
  }
  for (const statement of SNAPSHOT_BEGIN) await client.query(statement);
  try {
    const result = await readCatalog(client, options);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {});
    throw error;
  }
}

export async function serverVersionNumIn(client: QueryClient): Promise<number> {
  const { rows } = await client.query<{ v: string }>("select current_setting('server_version_num') as v");
  return Number(rows[0]?.v);
}

async function readCatalog(client: QueryClient, options: IntrospectOptions): Promise<IntrospectionResult> {
  const versionNum = await serverVersionNumIn(client);
  const ctx: QueryContext = { managed: managedSchemas(options.schemas), versionNum };
  const queries = catalogQueries(catalogDb(client), ctx);
  // One connection runs one query at a time; sequential awaits keep the code plain at no cost.
  const rows: CatalogRows = {
    schemas: await queries.schemas.execute(),
    extensions: await queries.extensions.execute(),
    types: await queries.types.execute(),
    relations: await queries.relations.execute(),
    sequences: await queries.sequences.execute(),
    columns: await queries.columns.execute(),
    constraints: await queries.constraints.execute(),
    indexes: await queries.indexes.execute(),
    unmanaged: await queries.unmanaged.execute(),
  };
  return buildResult(rows, versionNum, options);
}

export function buildResult(
  rows: CatalogRows,
  versionNum: number,
  options: IntrospectOptions,
): IntrospectionResult {
  const ignored = ignoreMatcher(options.ignore ?? []);
  const tables = new Map<number, { name: QualifiedName; comment: string | null }>();
  for (const r of rows.relations) {
    if (r.kind !== 'r' || r.isPartition || r.isInherited || ignored(r)) continue;
    tables.set(r.oid, { name: { schema: r.schema, name: r.name }, comment: r.comment });
  }
  return {
    model: {
      schemas: mapSchemas(rows.schemas),
      extensions: mapExtensions(rows.extensions),
      enums: mapEnums(rows.types, ignored),
      sequences: mapSequences(rows.sequences, ignored, new Set(tables.keys())),
      tables: mapTables(rows, tables, identityOptions(rows.sequences)),
    },
    unmanaged: mapUnmanaged(rows, ignored),
    serverVersionNum: versionNum,
    tableStats: mapTableStats(rows.relations, tables),
  };
}
