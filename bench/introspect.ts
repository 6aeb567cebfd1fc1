/**
 * `npm run bench:introspect [-- --tables 1000 --tables 5000 --runs 5]`
 *
 * Starts its own embedded PostgreSQL 15, loads the synthetic schema of each size (bench/generate-schema.ts)
 * in batches of transactions (one transaction for 5,000 tables runs out of lock slots), then measures in the
 * same run, each in a fresh child process: the floor (our catalog SQL through bare `pg`), our `introspect()`,
 * and `@pgkit/schemainspect`. One warm-up round, then `--runs` rounds with the three modes interleaved; the
 * median is reported. Prints a table with ratios and a markdown version for docs/benchmarks.md.
 * A benchmark, not a test: it never fails on time.
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import pg from 'pg';
import { startEmbedded } from '../src/embedded/server.js';
import { generateSchema } from './generate-schema.js';

const MODES = ['floor', 'ours', 'schemainspect'] as const;
type Mode = (typeof MODES)[number];

interface Sample {
  readonly ms: number;
  readonly cpuMs: number;
  readonly wallMs: number;
  readonly maxRssKiB: number;
  readonly counts: Record<string, number>;
}

function args(): { sizes: number[]; runs: number } {
  const sizes: number[] = [];
  let runs = 5;
  const argv = process.argv.slice(2);
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--tables') sizes.push(...String(argv[++i]).split(',').map(Number));
    else if (argv[i] === '--runs') runs = Number(argv[++i]);
    else throw new Error(`unknown argument ${argv[i]}; use --tables N (repeatable) and --runs N`);
  }
  if (sizes.some((n) => !Number.isInteger(n) || n < 1)) throw new Error('--tables takes positive integers');
  return { sizes: sizes.length ? sizes : [1000, 5000], runs };
}

function databaseUrl(adminUrl: string, name: string): string {
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

async function load(adminUrl: string, tables: number): Promise<string> {
  const name = `bench_${tables}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = databaseUrl(adminUrl, name);
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const started = performance.now();
  for (const batch of generateSchema({ tables })) await client.query(`BEGIN;\n${batch.join('\n')}\nCOMMIT;`);
  await client.query('ANALYZE');
  const { rows } = await client.query<Record<string, string>>(`select
    (select count(*) from pg_class where relkind = 'r' and relnamespace = 'public'::regnamespace) as tables,
    (select count(*) from pg_attribute a join pg_class c on c.oid = a.attrelid where c.relkind = 'r' and c.relnamespace = 'public'::regnamespace and a.attnum > 0) as columns,
    (select count(*) from pg_constraint where contype = 'f' and connamespace = 'public'::regnamespace) as fks,
    (select count(*) from pg_constraint where contype = 'c' and connamespace = 'public'::regnamespace) as checks,
    (select count(*) from pg_index i join pg_class c on c.oid = i.indrelid where c.relnamespace = 'public'::regnamespace and c.relkind = 'r') as indexes`);
  await client.end();
  const c = rows[0]!;
  console.log(
    `loaded ${tables} tables in ${((performance.now() - started) / 1000).toFixed(1)} s: ${c.tables} tables, ` +
      `${c.columns} columns, ${c.fks} FKs, ${c.checks} checks, ${c.indexes} indexes (incl. PK)`,
  );
  return url;
}

/**
 * The child, bundled to plain JavaScript (dependencies left as imports), so each measured process is bare
 * `node` with no TypeScript loader inflating its start-up time and memory. Written under node_modules/.cache
 * so the bundle resolves the project's node_modules.
 */
async function bundleChild(): Promise<string> {
  const outfile = join(import.meta.dirname, '../node_modules/.cache/tidemark-bench/introspect-child.mjs');
  await build({
    entryPoints: [join(import.meta.dirname, 'introspect-child.ts')],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    outfile,
    logLevel: 'warning',
  });
  return outfile;
}

function measure(childScript: string, mode: Mode, url: string): Promise<Sample> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, [childScript, mode], {
      env: { ...process.env, TIDEMARK_BENCH_URL: url },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
    });
    child.on('error', reject);
    child.on('close', (code) => {
      const wallMs = performance.now() - started;
      if (code !== 0) return reject(new Error(`${mode} run exited with ${code}`));
      const parsed = JSON.parse(out.trim().split('\n').at(-1) ?? '{}') as Omit<Sample, 'wallMs'>;
      resolve({ ...parsed, wallMs });
    });
  });
}

const median = (xs: readonly number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor((s.length - 1) / 2)]!;
};
const mib = (kib: number) => kib / 1024;

function report(tables: number, samples: Record<Mode, Sample[]>): { console: string; markdown: string }[] {
  const floorMs = median(samples.floor.map((s) => s.ms));
  const peerMs = median(samples.schemainspect.map((s) => s.ms));
  const peerRss = median(samples.schemainspect.map((s) => s.maxRssKiB));
  const lines = [
    {
      console: `${'reader'.padEnd(14)}${'time ms (min–max)'.padEnd(26)}${'cpu ms'.padStart(8)}${'wall ms'.padStart(9)}${'peak MiB'.padStart(10)}  /floor  /peer time  /peer mem`,
      markdown: '',
    },
  ];
  for (const mode of MODES) {
    const ms = samples[mode].map((s) => s.ms);
    const time = median(ms);
    const cpu = median(samples[mode].map((s) => s.cpuMs));
    const rss = median(samples[mode].map((s) => s.maxRssKiB));
    const wall = median(samples[mode].map((s) => s.wallMs));
    const range = `${time.toFixed(0)} (${Math.min(...ms).toFixed(0)}–${Math.max(...ms).toFixed(0)})`;
    const ratios = [time / floorMs, time / peerMs, rss / peerRss].map((r) => `${r.toFixed(2)}x`);
    lines.push({
      console:
        `${mode.padEnd(14)}${range.padEnd(26)}${cpu.toFixed(0).padStart(8)}${wall.toFixed(0).padStart(9)}` +
        `${mib(rss).toFixed(1).padStart(10)}  ${ratios.map((r) => r.padStart(6)).join('  ')}  ${JSON.stringify(samples[mode][0]?.counts ?? {})}`,
      markdown:
        `| ${tables.toLocaleString('en')} | ${mode} | **${(time / 1000).toFixed(2)} s** (${(Math.min(...ms) / 1000).toFixed(2)}–` +
        `${(Math.max(...ms) / 1000).toFixed(2)}) | ${(cpu / 1000).toFixed(2)} s | ${(wall / 1000).toFixed(2)} s | ` +
        `${mib(rss).toFixed(0)} MiB | ${ratios.join(' | ')} |`,
    });
  }
  return lines;
}

function pgVersion(url: string): Promise<string> {
  const client = new pg.Client({ connectionString: url });
  return client
    .connect()
    .then(() => client.query<{ v: string }>('select version() as v'))
    .then((r) => r.rows[0]?.v ?? '?')
    .finally(() => client.end());
}

async function main() {
  const { sizes, runs } = args();
  const childScript = await bundleChild();
  const dir = mkdtempSync(join(tmpdir(), 'tidemark-bench-'));
  const server = await startEmbedded({ dataDir: dir, major: 15, persistent: false });
  const rowsOut: string[] = [];
  try {
    const version = await pgVersion(server.url);
    let cpuModel = cpus()[0]?.model ?? '?';
    try {
      cpuModel = execFileSync('lscpu', { encoding: 'utf8' }).match(/Model name:\s*(.+)/)?.[1] ?? cpuModel;
    } catch {}
    console.log(
      `machine: ${cpus().length} CPUs (${cpuModel}), ${(totalmem() / 2 ** 30).toFixed(1)} GiB RAM; ` +
        `node ${process.version}; ${version.split(',')[0]} (embedded, fsync off)`,
    );
    for (const tables of sizes) {
      const url = await load(server.url, tables);
      const samples: Record<Mode, Sample[]> = { floor: [], ours: [], schemainspect: [] };
      for (let round = 0; round <= runs; round++) {
        for (const mode of MODES) {
          const sample = await measure(childScript, mode, url);
          if (round > 0) samples[mode].push(sample);
        }
      }
      // Other work on the machine shows up in every figure; the ratios are taken in the same run for that reason.
      console.log(
        `\n${tables} tables, median of ${runs} runs after 1 warm-up (load average now ${loadavg()
          .map((l) => l.toFixed(1))
          .join(' ')}):`,
      );
      for (const line of report(tables, samples)) {
        console.log(line.console);
        if (line.markdown) rowsOut.push(line.markdown);
      }
    }
    console.log('\nmarkdown:\n');
    console.log(
      '| tables | reader | time (min–max) | client CPU | process wall | peak RSS | time / floor | time / schemainspect | memory / schemainspect |',
    );
    console.log('| --- | --- | --- | --- | --- | --- | --- | --- | --- |');
    for (const line of rowsOut) console.log(line);
  } finally {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
