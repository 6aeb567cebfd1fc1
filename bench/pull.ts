/**
 * `npm run bench:pull [-- --tables 1000 --runs 3 --peers --peer-timeout 900]`
 *
 * `tidemark pull` as a user runs it: the built CLI (`node dist/cli/main.js pull --out DIR --force`, the URL in
 * DATABASE_URL), whole process from spawn to exit, peak RSS through GNU time, against the synthetic schema
 * of bench/generate-schema.ts in its own embedded PostgreSQL 15. With `--peers`, `drizzle-kit pull` is
 * measured the same way in the same run (it issues per-table catalog queries and takes minutes at 1,000
 * tables, so it is opt-in and run once; past --peer-timeout it is stopped and reported as a lower bound),
 * and tidemark's runs are repeated after it, so that the ratio does not rest on the load of one period.
 * What each tool wrote is counted and checked against the catalog, so a failed run never reads as fast.
 * A benchmark, not a test: it prints figures and never fails on time. Build first (`npm run build`).
 */
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { median } from './lib/child.js';
import { drizzleKitVersion, drizzlePull, type PullRun, TIDEMARK_CLI, tidemarkPull } from './lib/pull-runs.js';
import { loadSyntheticSchema, machineLine, sql, startBenchServer } from './lib/server.js';

interface Args {
  readonly sizes: number[];
  readonly runs: number;
  readonly peers: boolean;
  readonly peerTimeoutS: number;
}

function args(): Args {
  const sizes: number[] = [];
  let runs = 3;
  let peers = false;
  let peerTimeoutS = 900;
  const argv = process.argv.slice(2);
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--tables') sizes.push(...String(argv[++i]).split(',').map(Number));
    else if (a === '--runs') runs = Number(argv[++i]);
    else if (a === '--peers') peers = true;
    else if (a === '--peer-timeout') peerTimeoutS = Number(argv[++i]);
    else
      throw new Error(`unknown argument ${a}; use --tables N[,N], --runs N, --peers, --peer-timeout SECONDS`);
  }
  if (sizes.some((n) => !Number.isInteger(n) || n < 1)) throw new Error('--tables takes positive integers');
  if (!Number.isInteger(runs) || runs < 1) throw new Error('--runs takes a positive integer');
  if (!(peerTimeoutS > 0)) throw new Error('--peer-timeout takes a positive number of seconds');
  return { sizes: sizes.length ? sizes : [1000], runs, peers, peerTimeoutS };
}

/** The 1-minute load average, sampled while a measurement runs. */
async function underLoad<T>(fn: () => Promise<T>): Promise<{ value: T; load: [number, number] }> {
  const samples = [loadavg()[0] ?? 0];
  const timer = setInterval(() => samples.push(loadavg()[0] ?? 0), 5000);
  try {
    const value = await fn();
    samples.push(loadavg()[0] ?? 0);
    return { value, load: [Math.min(...samples), Math.max(...samples)] };
  } finally {
    clearInterval(timer);
  }
}

/** A pull in a fresh temporary directory, removed afterwards whatever happens. */
async function inTempDir(prefix: string, fn: (dir: string) => Promise<PullRun>): Promise<PullRun> {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  try {
    return await fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

interface Expected {
  readonly tables: number;
  readonly fks: number;
  readonly checks: number;
  readonly enums: number;
}

async function expected(url: string): Promise<Expected> {
  const [row] = await sql<Record<string, string>>(
    url,
    `select
      (select count(*) from pg_class where relkind = 'r' and relnamespace = 'public'::regnamespace) as tables,
      (select count(*) from pg_constraint where contype = 'f' and connamespace = 'public'::regnamespace) as fks,
      (select count(*) from pg_constraint where contype = 'c' and connamespace = 'public'::regnamespace) as checks,
      (select count(*) from pg_type where typtype = 'e' and typnamespace = 'public'::regnamespace) as enums`,
  );
  return {
    tables: Number(row?.tables),
    fks: Number(row?.fks),
    checks: Number(row?.checks),
    enums: Number(row?.enums),
  };
}

/** Why a run's output cannot be trusted, or null. The password is cut out of anything printed. */
function problem(run: PullRun, tables: number, url: string): string | null {
  const { sample } = run;
  const password = decodeURIComponent(new URL(url).password);
  const tail = () => (password ? sample.outputTail.replaceAll(password, '***') : sample.outputTail);
  if (sample.timedOut) return null;
  if (sample.exitCode !== 0) return `exited with ${sample.exitCode}:\n${tail()}`;
  const got = run.produced.tables ?? run.produced.pgTable ?? 0;
  if (got !== tables) return `wrote ${got} tables of ${tables}:\n${tail()}`;
  return null;
}

const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const mib = (kib: number | null) => (kib === null ? '–' : `${(kib / 1024).toFixed(0)} MiB`);
const loadText = ([lo, hi]: [number, number]) =>
  lo.toFixed(1) === hi.toFixed(1) ? lo.toFixed(1) : `${lo.toFixed(1)}–${hi.toFixed(1)}`;
const countsText = (run: PullRun) =>
  `${Object.entries(run.produced)
    .map(([k, v]) => `${v.toLocaleString('en')} ${k}`)
    .join(', ')}; ${run.files} files, ${(run.bytes / 2 ** 20).toFixed(1)} MiB`;

interface Measured {
  readonly run: PullRun;
  readonly load: [number, number];
}

/** `runs` checked runs of tidemark pull, after one warm-up when `warmUp`. */
async function measureOurs(url: string, tables: number, runs: number, warmUp: boolean): Promise<Measured[]> {
  const out: Measured[] = [];
  for (let round = warmUp ? 0 : 1; round <= runs; round++) {
    const { value: run, load } = await underLoad(() =>
      inTempDir('tidemark-bench-pull-', (dir) => tidemarkPull(url, dir, 10 * 60_000)),
    );
    const wrong = problem(run, tables, url);
    if (wrong || run.sample.timedOut) throw new Error(`tidemark pull ${wrong ?? 'ran past 10 minutes'}`);
    console.log(
      `  tidemark pull ${round === 0 ? 'warm-up' : `run ${round}${warmUp ? '' : ' after the peer'}`}: ` +
        `${s(run.sample.wallMs)}, ${mib(run.sample.maxRssKiB)}, load ${loadText(load)}`,
    );
    if (round > 0) out.push({ run, load });
  }
  const wall = out.map((m) => m.run.sample.wallMs);
  console.log(
    `tidemark pull: median ${s(median(wall))} (${s(Math.min(...wall))}–${s(Math.max(...wall))}) of ${runs}, ` +
      `CPU ${s(median(out.map((m) => m.run.sample.cpuMs ?? Number.NaN)))}, ` +
      `peak ${mib(median(out.map((m) => m.run.sample.maxRssKiB ?? Number.NaN)))}\n` +
      `  wrote ${countsText(out[0]!.run)}`,
  );
  return out;
}

function oursSummary(tables: number, ours: readonly Measured[], runs: number): string {
  const wall = ours.map((m) => m.run.sample.wallMs);
  const load: [number, number] = [
    Math.min(...ours.map((m) => m.load[0])),
    Math.max(...ours.map((m) => m.load[1])),
  ];
  return (
    `| ${tables.toLocaleString('en')} | \`tidemark pull\` | **${s(median(wall))}** (${s(Math.min(...wall))}–` +
    `${s(Math.max(...wall))}, median of ${runs}) | ${s(median(ours.map((m) => m.run.sample.cpuMs ?? Number.NaN)))} | ` +
    `${mib(median(ours.map((m) => m.run.sample.maxRssKiB ?? Number.NaN)))} | ${loadText(load)} | 1x | ` +
    `${countsText(ours[0]!.run)} |`
  );
}

async function measureSize(url: string, tables: number, a: Args, markdown: string[]): Promise<void> {
  const want = await expected(url);
  console.log(
    `catalog: ${want.tables} tables, ${want.fks} foreign keys, ${want.checks} checks, ${want.enums} enums`,
  );
  const ours: Measured[] = await measureOurs(url, want.tables, a.runs, true);
  if (!a.peers) {
    markdown.push(oursSummary(tables, ours, a.runs));
    return;
  }

  console.log(`  drizzle-kit pull (one run, stopped after ${a.peerTimeoutS} s) …`);
  const { value: peer, load } = await underLoad(() =>
    inTempDir('tidemark-bench-drizzle-', (dir) => drizzlePull(url, dir, a.peerTimeoutS * 1000)),
  );
  const wrong = problem(peer, want.tables, url);
  if (wrong) throw new Error(`drizzle-kit pull ${wrong}`);
  const bound = peer.sample.timedOut ? '>= ' : '';
  console.log(
    `drizzle-kit pull: ${bound}${s(peer.sample.wallMs)}${peer.sample.timedOut ? ' (stopped at the timeout)' : ''}, ` +
      `CPU ${peer.sample.cpuMs === null ? '–' : s(peer.sample.cpuMs)}, peak ${mib(peer.sample.maxRssKiB)}, ` +
      `load ${loadText(load)}\n  wrote ${countsText(peer)}`,
  );
  // The same number of runs again after the peer, so the figure does not rest on the load of one period.
  ours.push(...(await measureOurs(url, want.tables, a.runs, false)));
  const oursMs = median(ours.map((m) => m.run.sample.wallMs));
  const slowest = Math.max(...ours.map((m) => m.run.sample.wallMs));
  const ratio = peer.sample.wallMs / oursMs;
  console.log(
    `\ntidemark pull over all ${ours.length} runs: median ${s(oursMs)}, slowest ${s(slowest)}\n` +
      `ratio: drizzle-kit pull / tidemark pull = ${bound}${ratio.toFixed(0)}x (median), ` +
      `${bound}${(peer.sample.wallMs / slowest).toFixed(0)}x (slowest tidemark run); target at least 100x: ` +
      `${ratio >= 100 ? 'met' : peer.sample.timedOut ? 'undecided' : 'NOT met'}`,
  );
  markdown.push(oursSummary(tables, ours, ours.length));
  markdown.push(
    `| ${tables.toLocaleString('en')} | \`drizzle-kit pull\` ${drizzleKitVersion()} | **${bound}${s(peer.sample.wallMs)}** (one run) | ` +
      `${peer.sample.cpuMs === null ? '–' : s(peer.sample.cpuMs)} | ${mib(peer.sample.maxRssKiB)} | ${loadText(load)} | ` +
      `${bound}${ratio.toFixed(0)}x | ${countsText(peer)} |`,
  );
}

async function main() {
  const a = args();
  if (!existsSync(TIDEMARK_CLI)) throw new Error(`${TIDEMARK_CLI} is missing; run npm run build first`);
  const bench = await startBenchServer('tidemark-bench-pull');
  const markdown: string[] = [];
  try {
    console.log(`machine: ${await machineLine(bench.adminUrl)}`);
    console.log(`CLI: ${TIDEMARK_CLI}, built ${statSync(TIDEMARK_CLI).mtime.toISOString()}`);
    for (const tables of a.sizes) {
      const started = performance.now();
      const url = await loadSyntheticSchema(bench.adminUrl, `bench_${tables}`, tables);
      console.log(`\n${tables} tables, loaded in ${s(performance.now() - started)}`);
      await measureSize(url, tables, a, markdown);
    }
  } finally {
    await bench.close();
  }
  console.log('\nmarkdown:\n');
  console.log(
    '| tables | tool | process wall time | CPU | peak RSS | load average | time / tidemark | wrote |',
  );
  console.log('| --- | --- | --- | --- | --- | --- | --- | --- |');
  for (const line of markdown) console.log(line);
}

await main();
