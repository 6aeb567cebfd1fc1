/**
 * One measured introspection, in a process of its own so that its peak RSS is its own. The parent
 * (bench/introspect.ts) passes the mode as argument and the database URL in TIDEMARK_BENCH_URL (never in
 * argv, which `ps` shows). Prints one JSON line: in-process time from before connecting until the result is
 * in hand, peak RSS, and a few counts that prove the read was complete.
 *
 * Modes:
 * - `ours`: `introspect()`, rows mapped into the model.
 * - `floor`: the very same SQL (compiled from the same Kysely queries) in the same snapshot, through bare
 *   `pg`, rows discarded: what any introspector built on these queries must at least spend.
 * - `schemainspect`: `@pgkit/schemainspect`'s `PostgreSQL.create`, the peer.
 */
import pg from 'pg';
import { catalogDb } from '../src/db/kysely.js';
import { introspect, SNAPSHOT_BEGIN, serverVersionNumIn } from '../src/introspect/index.js';
import { catalogQueries } from '../src/introspect/queries/index.js';
import { managedSchemas } from '../src/introspect/scope.js';

const SCHEMAS = ['public'];

async function floor(url: string): Promise<Record<string, number>> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  for (const statement of SNAPSHOT_BEGIN) await client.query(statement);
  const versionNum = await serverVersionNumIn(client);
  const queries = catalogQueries(catalogDb(client), { managed: managedSchemas(SCHEMAS), versionNum });
  const counts: Record<string, number> = {};
  for (const [name, query] of Object.entries(queries)) {
    const compiled = query.compile();
    const result = await client.query(compiled.sql, [...compiled.parameters]);
    counts[name] = result.rowCount ?? 0;
  }
  await client.query('COMMIT');
  await client.end();
  return { tables: counts.relations ?? 0, columns: counts.columns ?? 0, indexes: counts.indexes ?? 0 };
}

async function ours(url: string): Promise<Record<string, number>> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const result = await introspect(client, { schemas: SCHEMAS });
  await client.end();
  const tables = result.model.tables;
  return {
    tables: tables.length,
    columns: tables.reduce((n, t) => n + t.columns.length, 0),
    indexes: tables.reduce((n, t) => n + t.indexes.length, 0),
  };
}

async function schemainspect(url: string): Promise<Record<string, number>> {
  const { PostgreSQL } = await import('@pgkit/schemainspect');
  const inspected = await PostgreSQL.create(url);
  const tables = Object.values(inspected.tables);
  return {
    tables: tables.length,
    columns: tables.reduce((n, t) => n + Object.keys(t.columns ?? {}).length, 0),
    indexes: Object.keys(inspected.indexes).length,
  };
}

const MODES = { floor, ours, schemainspect } as const;

const mode = process.argv[2] as keyof typeof MODES;
const url = process.env.TIDEMARK_BENCH_URL;
if (!url || !(mode in MODES)) {
  process.stderr.write(
    'usage: TIDEMARK_BENCH_URL=... tsx bench/introspect-child.ts floor|ours|schemainspect\n',
  );
  process.exit(2);
}
const start = performance.now();
const cpuStart = process.cpuUsage();
const counts = await MODES[mode](url);
const ms = performance.now() - start;
const cpu = process.cpuUsage(cpuStart);
const cpuMs = (cpu.user + cpu.system) / 1000;
process.stdout.write(
  `${JSON.stringify({ mode, ms, cpuMs, maxRssKiB: process.resourceUsage().maxRSS, counts })}\n`,
);
// schemainspect keeps its pool open; the measurement is taken, so leave without waiting for it.
process.exit(0);
