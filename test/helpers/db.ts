import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { inject } from 'vitest';

/** A database of its own for one test file (or one test), on the run's server. */
export interface TestDatabase {
  readonly url: string;
  readonly name: string;
  /** Run SQL (several statements allowed) and return the rows of the last one. */
  query<T extends Record<string, unknown> = Record<string, unknown>>(
    sql: string,
    params?: unknown[],
  ): Promise<T[]>;
  drop(): Promise<void>;
}

export const pgMajor = (): number => inject('pgMajor');

export function databaseUrl(adminUrl: string, database: string): string {
  const url = new URL(adminUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

export async function createTestDatabase(prefix = 't'): Promise<TestDatabase> {
  return createDatabaseOn(inject('adminUrl'), prefix);
}

/** createTestDatabase, on a given server. */
export async function createDatabaseOn(adminUrl: string, prefix: string): Promise<TestDatabase> {
  const name = `${prefix}_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE "${name}" TEMPLATE template0 ENCODING 'UTF8'`);
  } finally {
    await admin.end();
  }
  const url = databaseUrl(adminUrl, name);
  const pool = new pg.Pool({ connectionString: url, max: 2 });
  // drop() ends the pool and then drops the database WITH (FORCE); a client still closing at that moment
  // receives "terminating connection due to administrator command", which an idle pool client reports as an
  // 'error' event on the pool: without a listener that is an uncaught exception, failing an unrelated test.
  // A query's own errors still reject its promise.
  pool.on('error', () => {});
  return {
    url,
    name,
    async query<T extends Record<string, unknown>>(sql: string, params?: unknown[]) {
      const result = await pool.query(sql, params);
      const last = Array.isArray(result) ? result[result.length - 1] : result;
      return (last?.rows ?? []) as T[];
    },
    async drop() {
      await pool.end();
      const client = new pg.Client({ connectionString: adminUrl });
      await client.connect();
      try {
        await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      } finally {
        await client.end();
      }
    },
  };
}
