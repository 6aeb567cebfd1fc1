import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { type EmbeddedServer, startEmbedded } from '../../src/embedded/server.js';
import { generateSchema } from '../generate-schema.js';

/** An embedded PostgreSQL 15 in a temporary directory, for one benchmark run; `close` deletes everything. */
export interface BenchServer {
  readonly server: EmbeddedServer;
  readonly adminUrl: string;
  close(): Promise<void>;
}

export async function startBenchServer(prefix: string): Promise<BenchServer> {
  const dir = mkdtempSync(join(tmpdir(), `${prefix}-`));
  const server = await startEmbedded({ dataDir: dir, major: 15, persistent: false });
  let closed = false;
  return {
    server,
    adminUrl: server.url,
    async close() {
      if (closed) return;
      closed = true;
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export function databaseUrl(adminUrl: string, name: string): string {
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

/** Run SQL on a short-lived connection and return the rows of the (last) result. */
export async function sql<T extends Record<string, unknown>>(url: string, text: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const result = await client.query(text);
    const last = Array.isArray(result) ? result[result.length - 1] : result;
    return (last?.rows ?? []) as T[];
  } finally {
    await client.end();
  }
}

/**
 * Create `name` and load the synthetic schema of `tables` tables into it, one transaction per batch of
 * tables: the whole 5,000-table schema in one transaction runs out of lock slots.
 */
export async function loadSyntheticSchema(adminUrl: string, name: string, tables: number): Promise<string> {
  await sql(adminUrl, `CREATE DATABASE ${name}`);
  const url = databaseUrl(adminUrl, name);
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    for (const batch of generateSchema({ tables }))
      await client.query(`BEGIN;\n${batch.join('\n')}\nCOMMIT;`);
    await client.query('ANALYZE');
  } finally {
    await client.end();
  }
  return url;
}

/** One line naming the machine, Node and the server, for the figures to be read against. */
export async function machineLine(url: string): Promise<string> {
  const [row] = await sql<{ v: string }>(url, 'select version() as v');
  let cpuModel = cpus()[0]?.model ?? '?';
  try {
    cpuModel = execFileSync('lscpu', { encoding: 'utf8' }).match(/Model name:\s*(.+)/)?.[1] ?? cpuModel;
  } catch {}
  return (
    `${cpus().length} CPUs (${cpuModel}), ${(totalmem() / 2 ** 30).toFixed(1)} GiB RAM; node ${process.version}; ` +
    `${(row?.v ?? '?').split(',')[0]} (embedded, fsync off)`
  );
}

export const seconds = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;

/** Time an async function; returns its result and the milliseconds it took. */
export async function timed<T>(fn: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const started = performance.now();
  const value = await fn();
  return { value, ms: performance.now() - started };
}
