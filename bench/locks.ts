/**
 * `npm run bench:locks [-- --rows 1000000 --trials 1 --lock-timeout 1000]`
 *
 * What a running application feels while a schema change runs. On an embedded PostgreSQL 15, a table of
 * `--rows` rows with a parent table (bench/lib/lock-fixture.ts) gets an index, a foreign key, a CHECK and NOT
 * NULL, while a concurrent writer (bench/lib/writer.ts: single-row INSERTs and UPDATEs on its own connection)
 * records each statement's latency. Two ways of making the change, each on a fresh copy of the same data:
 * - tidemark: `tidemark plan` of the desired YAML, applied by the apply engine with the given lock_timeout;
 * - naive: plain CREATE INDEX, ADD FOREIGN KEY, ADD CHECK and SET NOT NULL in one transaction.
 * Prints the writer's worst and p99 latency during the change and the change's total time, side by side.
 * A benchmark, not a test: it never fails on time.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { lockSetupStatements, NAIVE_SQL, writeLockDesired } from './lib/lock-fixture.js';
import { applyWithTimeout, type LockRun, planLockChange, withWriter } from './lib/lock-run.js';
import { databaseUrl, machineLine, seconds, sql, startBenchServer, timed } from './lib/server.js';

interface Args {
  readonly rows: number;
  readonly trials: number;
  readonly lockTimeoutMs: number;
}

function args(): Args {
  let rows = 1_000_000;
  let trials = 1;
  let lockTimeoutMs = 1000;
  const argv = process.argv.slice(2);
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--rows') rows = Number(argv[++i]);
    else if (a === '--trials') trials = Number(argv[++i]);
    else if (a === '--lock-timeout') lockTimeoutMs = Number(argv[++i]);
    else throw new Error(`unknown argument ${a}; use --rows N, --trials N, --lock-timeout MS`);
  }
  for (const [name, n] of [
    ['--rows', rows],
    ['--trials', trials],
    ['--lock-timeout', lockTimeoutMs],
  ] as const) {
    if (!Number.isInteger(n) || n < 1) throw new Error(`${name} takes a positive integer`);
  }
  return { rows, trials, lockTimeoutMs };
}

type Case = 'tidemark' | 'naive';
const CASES: readonly Case[] = ['tidemark', 'naive'];

const ms = (x: number) => `${x.toFixed(0)} ms`;

async function main() {
  const a = args();
  const bench = await startBenchServer('tidemark-bench-locks');
  const dir = mkdtempSync(join(tmpdir(), 'tidemark-bench-locks-'));
  const schemaDir = writeLockDesired(dir);
  const results: Record<Case, LockRun[]> = { tidemark: [], naive: [] };
  try {
    console.log(`machine: ${await machineLine(bench.adminUrl)}`);
    await sql(bench.adminUrl, 'CREATE DATABASE locks_base');
    const base = databaseUrl(bench.adminUrl, 'locks_base');
    const seeded = await timed(async () => {
      for (const statement of lockSetupStatements(a.rows)) await sql(base, statement);
    });
    console.log(
      `seeded ${a.rows.toLocaleString('en')} rows in ${seconds(seeded.ms)}; lock_timeout ${ms(a.lockTimeoutMs)}`,
    );
    for (let trial = 1; trial <= a.trials; trial++) {
      for (const c of CASES) {
        await sql(bench.adminUrl, 'CREATE DATABASE locks_run TEMPLATE locks_base');
        const url = databaseUrl(bench.adminUrl, 'locks_run');
        try {
          await sql(url, 'VACUUM ANALYZE');
          // Planning happens before the writer's window: it reads the catalog and takes no table locks.
          const change =
            c === 'tidemark'
              ? await planLockChange(url, schemaDir).then(
                  (plan) => () => applyWithTimeout(url, plan, a.lockTimeoutMs),
                )
              : async () => {
                  await sql(url, NAIVE_SQL);
                };
          const run = await withWriter(url, a.rows, change);
          results[c].push(run);
          console.log(
            `trial ${trial} ${c.padEnd(8)}: change ${seconds(run.changeMs)}, writer during change: ` +
              `${run.during.statements} statements, worst ${ms(run.during.worstMs)}, p99 ${ms(run.during.p99Ms)}, ` +
              `p50 ${ms(run.during.p50Ms)}; errors ${run.writer.errors.length}`,
          );
        } finally {
          await sql(bench.adminUrl, 'DROP DATABASE IF EXISTS locks_run WITH (FORCE)');
        }
      }
    }
    const pick = (c: Case, f: (r: LockRun) => number) => results[c].map(f);
    const range = (xs: number[], fmt: (x: number) => string) =>
      xs.length === 1 ? fmt(xs[0]!) : `${fmt(Math.min(...xs))}–${fmt(Math.max(...xs))}`;
    console.log(
      `\n${a.rows.toLocaleString('en')} rows, ${a.trials} trial(s), lock_timeout ${ms(a.lockTimeoutMs)}:`,
    );
    console.log(
      '| change | total time | writer statements during | writer worst | writer p99 | writer p50 |',
    );
    console.log('| --- | --- | --- | --- | --- | --- |');
    for (const c of CASES) {
      console.log(
        `| ${c === 'tidemark' ? 'tidemark plan, applied' : 'naive statements, one transaction'} | ` +
          `${range(
            pick(c, (r) => r.changeMs),
            seconds,
          )} | ${range(
            pick(c, (r) => r.during.statements),
            String,
          )} | **${range(
            pick(c, (r) => r.during.worstMs),
            ms,
          )}** | ${range(
            pick(c, (r) => r.during.p99Ms),
            ms,
          )} | ` +
          `${range(
            pick(c, (r) => r.during.p50Ms),
            ms,
          )} |`,
      );
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await bench.close();
  }
}

await main();
