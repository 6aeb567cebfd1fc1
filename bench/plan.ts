/**
 * `npm run bench:plan [-- --tables 1000,5000 --edit-percent 5 --runs 3 --warmups 1 --cpu-prof DIR]`
 *
 * Starts its own embedded PostgreSQL 15, loads the synthetic schema (bench/generate-schema.ts) into
 * `bench_current`, pulls it to YAML, edits a few percent of the table files (bench/lib/edit-yaml.ts), then
 * measures in one run, each measurement in a fresh child process (bench/lib/plan-child.ts):
 * - `tidemark plan` of the edited YAML against bench_current, split into load, introspection, shadow
 *   compilation, diff and planning (prechecks included, as the CLI runs them);
 * - `tidemark plan` of the unchanged YAML (the drift case) against introspection alone, with the load cache
 *   warm (as on a developer's machine or a CI job that keeps .tidemark/cache) and with `--no-cache`;
 * - the edited plan starts from the load cache as it was before the edit, so only the edited files miss;
 * - the peer, `@pgkit/migra`, diffing bench_current against `bench_desired` (a copy of bench_current with
 *   our plan applied), both already loaded.
 * It also checks the plan it measures: applied psql-style to bench_desired, a second plan must be empty.
 * A benchmark, not a test: it prints figures and never fails on time.
 */
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { executePlanSql, planAgainst } from '../test/helpers/converge.js';
import { bundleChild, type ChildSample, median, runChild } from './lib/child.js';
import { EDIT_KINDS, editTableFiles } from './lib/edit-yaml.js';
import {
  databaseUrl,
  loadSyntheticSchema,
  machineLine,
  seconds,
  sql,
  startBenchServer,
  timed,
} from './lib/server.js';

interface Args {
  readonly sizes: number[];
  readonly percent: number;
  readonly runs: number;
  readonly warmups: number;
  readonly cpuProf: string | null;
}

function args(): Args {
  let sizes: number[] = [];
  let percent = 5;
  let runs = 3;
  let warmups = 1;
  let cpuProf: string | null = null;
  const argv = process.argv.slice(2);
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--tables') sizes.push(...String(argv[++i]).split(',').map(Number));
    else if (a === '--edit-percent') percent = Number(argv[++i]);
    else if (a === '--runs') runs = Number(argv[++i]);
    else if (a === '--warmups') warmups = Number(argv[++i]);
    else if (a === '--cpu-prof') cpuProf = String(argv[++i]);
    else
      throw new Error(
        `unknown argument ${a}; use --tables N[,N], --edit-percent P, --runs N, --warmups N, --cpu-prof DIR`,
      );
  }
  if (sizes.length === 0) sizes = [1000, 5000];
  if (sizes.some((n) => !Number.isInteger(n) || n < 1)) throw new Error('--tables takes positive integers');
  if (!(percent > 0 && percent <= 100)) throw new Error('--edit-percent takes a number in (0, 100]');
  if (!Number.isInteger(runs) || runs < 1) throw new Error('--runs takes a positive integer');
  if (!Number.isInteger(warmups) || warmups < 0) throw new Error('--warmups takes a whole number');
  return { sizes, percent, runs, warmups, cpuProf };
}

type Measure = 'introspect' | 'plan-unchanged' | 'plan-unchanged-cold' | 'plan-edited' | 'migra';
const MEASURES: readonly Measure[] = [
  'introspect',
  'plan-unchanged',
  'plan-unchanged-cold',
  'plan-edited',
  'migra',
];
const LABEL: Record<Measure, string> = {
  introspect: 'introspection alone',
  'plan-unchanged': 'tidemark plan, unchanged YAML',
  'plan-unchanged-cold': 'tidemark plan --no-cache, unchanged',
  'plan-edited': 'tidemark plan, edited YAML',
  migra: '@pgkit/migra, current → desired',
};

type TimingKey = 'loadMs' | 'introspectMs' | 'compileMs' | 'diffMs' | 'planMs';
const TIMING_KEYS: readonly TimingKey[] = ['loadMs', 'introspectMs', 'compileMs', 'diffMs', 'planMs'];

const mib = (kib: number) => `${(kib / 1024).toFixed(0)} MiB`;

type Timings = Record<TimingKey, number> & {
  compiledTables: number;
  compiledAhead: number;
  compiledEarly: number;
};

/**
 * Medians of the stage timings; `compiledAhead` counts the runs whose compile started during the read,
 * `compiledEarly` those among them whose compile started before the load ended.
 */
function timingsOf(samples: readonly ChildSample[]): Timings {
  const t = samples.map((s) => s.timings as Record<string, number>);
  const out = {
    compiledTables: t[0]?.compiledTables ?? 0,
    compiledAhead: t.filter((x) => (x.compiledAhead as unknown) === true).length,
    compiledEarly: t.filter((x) => (x.compiledEarly as unknown) === true).length,
  } as Timings;
  for (const k of TIMING_KEYS) out[k] = median(t.map((x) => x[k] ?? 0));
  return out;
}

async function benchSize(adminUrl: string, script: string, tables: number, a: Args, md: string[]) {
  const work = mkdtempSync(join(tmpdir(), 'tidemark-bench-plan-'));
  const unchanged = join(work, 'unchanged');
  const edited = join(work, 'edited');
  try {
    const loaded = await timed(() => loadSyntheticSchema(adminUrl, 'bench_current', tables));
    const current = loaded.value;
    console.log(
      `\n== ${tables} tables: loaded bench_current in ${seconds(loaded.ms)} (batches of 100 tables)`,
    );
    const pulled = await runChild(script, ['pull', unchanged], { TIDEMARK_BENCH_URL: current });
    console.log(`pull: ${pulled.files} files in ${seconds(pulled.ms)}, peak ${mib(pulled.maxRssKiB)}`);
    cpSync(unchanged, edited, { recursive: true });
    // The load caches as a developer's machine has them: the unchanged files loaded by an earlier run, and
    // the edited directory's cache as it was before the edit (restored before every edited run).
    const env = { TIDEMARK_BENCH_URL: current };
    await runChild(script, ['load', unchanged], env);
    await runChild(script, ['load', edited], env);
    const editedCache = join(edited, '.tidemark');
    const cacheBeforeEdit = join(work, 'edited-cache-before-edit');
    cpSync(editedCache, cacheBeforeEdit, { recursive: true });
    const edits = editTableFiles(edited, a.percent);
    const byKind = EDIT_KINDS.map((k) => `${edits.filter((e) => e.kind === k).length} ${k}`).join(', ');
    console.log(`edited ${edits.length} table files (${a.percent}%): ${byKind}`);

    // The desired database for the peer, built from our own plan; also the correctness check of that plan.
    const first = await planAgainst(current, edited);
    const firstSteps = first.plan.groups.reduce((n, g) => n + g.steps.length, 0);
    await sql(adminUrl, 'CREATE DATABASE bench_desired TEMPLATE bench_current');
    const desired = databaseUrl(adminUrl, 'bench_desired');
    const applied = await timed(() => executePlanSql(desired, first.plan));
    const second = await planAgainst(desired, edited);
    const secondSteps = second.plan.groups.reduce((n, g) => n + g.steps.length, 0);
    console.log(
      `correctness: plan of ${firstSteps} steps (${first.plan.summary.add} to add, ${first.plan.summary.change} to ` +
        `change, ${first.plan.summary.drop} to drop) applied psql-style to bench_desired in ${seconds(applied.ms)}; ` +
        `second plan: ${secondSteps} steps${secondSteps === 0 ? ' (converged)' : ' — NOT CONVERGED'}`,
    );
    for (const g of second.plan.groups)
      for (const s of g.steps.slice(0, 10)) console.log(`  left over: ${s.sql}`);

    const samples: Record<Measure, ChildSample[]> = {
      introspect: [],
      'plan-unchanged': [],
      'plan-unchanged-cold': [],
      'plan-edited': [],
      migra: [],
    };
    const rounds = a.warmups + a.runs;
    for (let round = 1; round <= rounds; round++) {
      const warm = round <= a.warmups;
      for (const m of MEASURES) {
        const env: Record<string, string> = { TIDEMARK_BENCH_URL: current, TIDEMARK_BENCH_URL_TO: desired };
        if (m === 'plan-unchanged-cold') env.TIDEMARK_BENCH_NO_CACHE = '1';
        if (m === 'plan-edited') {
          rmSync(editedCache, { recursive: true, force: true });
          cpSync(cacheBeforeEdit, editedCache, { recursive: true });
        }
        const argv =
          m === 'introspect'
            ? ['introspect']
            : m === 'migra'
              ? ['migra']
              : ['plan', m === 'plan-edited' ? edited : unchanged];
        const prof =
          a.cpuProf && m === 'plan-edited' && round === rounds
            ? [
                '--cpu-prof',
                '--cpu-prof-dir',
                a.cpuProf,
                '--cpu-prof-name',
                `plan-edited-${tables}.cpuprofile`,
              ]
            : [];
        const sample = await runChild(script, argv, env, prof);
        if (!warm) samples[m].push(sample);
        process.stdout.write(
          `  ${warm ? `warm-up ${round}` : `run ${round - a.warmups}`} ${m}: ${seconds(sample.ms)} ` +
            `(client CPU ${seconds(sample.cpuMs)}, load average ${(loadavg()[0] ?? 0).toFixed(1)})\n`,
        );
      }
    }
    const time = (m: Measure) => median(samples[m].map((s) => s.ms));
    console.log(
      `\n${tables} tables, ${a.percent}% edited, median of ${a.runs} run(s) after ${a.warmups} warm-up(s):`,
    );
    console.log(
      `${'operation'.padEnd(34)} ${'time'.padStart(9)}  (min–max)          peak RSS   client CPU   result`,
    );
    for (const m of MEASURES) {
      const ms = samples[m].map((s) => s.ms);
      const s0 = samples[m][0]!;
      const result =
        m === 'migra'
          ? `${s0.statements} statements`
          : m === 'introspect'
            ? `${s0.tables} tables`
            : `${s0.steps} steps`;
      console.log(
        `${LABEL[m].padEnd(34)} ${seconds(time(m)).padStart(9)}  (${seconds(Math.min(...ms))}–${seconds(Math.max(...ms))})`.padEnd(
          70,
        ) +
          `${mib(median(samples[m].map((s) => s.maxRssKiB))).padStart(8)}   ${seconds(median(samples[m].map((s) => s.cpuMs))).padStart(9)}   ${result}`,
      );
    }
    for (const m of ['plan-unchanged', 'plan-unchanged-cold', 'plan-edited'] as const) {
      const t = timingsOf(samples[m]);
      console.log(
        `  ${m} split: load ${seconds(t.loadMs)}, introspection ${seconds(t.introspectMs)}, shadow compilation ` +
          `${seconds(t.compileMs)} (${t.compiledTables} tables compiled${t.compiledAhead > 0 ? `, ahead in ${t.compiledAhead} of ${samples[m].length} runs, ${t.compiledEarly} of them started during the load` : ''}), diff ${seconds(t.diffMs)}, ` +
          `planning + prechecks ${seconds(t.planMs)}`,
      );
    }
    const speedup = time('migra') / time('plan-edited');
    const drift = time('plan-unchanged') / time('introspect');
    const driftCold = time('plan-unchanged-cold') / time('introspect');
    console.log(`migra / tidemark plan (edited): ${speedup.toFixed(2)}x faster (target ≥ 4x)`);
    console.log(`tidemark plan (unchanged) / introspection: ${drift.toFixed(2)}x (target ≤ 2x)`);
    console.log(`tidemark plan --no-cache (unchanged) / introspection: ${driftCold.toFixed(2)}x`);

    const te = timingsOf(samples['plan-edited']);
    const tu = timingsOf(samples['plan-unchanged']);
    const row = (m: Measure, t?: ReturnType<typeof timingsOf>) =>
      `| ${tables.toLocaleString('en')} | ${LABEL[m]} | **${seconds(time(m))}** | ${seconds(median(samples[m].map((s) => s.cpuMs)))} | ${mib(median(samples[m].map((s) => s.maxRssKiB)))} | ` +
      (t
        ? `${seconds(t.loadMs)} / ${seconds(t.introspectMs)} / ${seconds(t.compileMs)} (${t.compiledTables}) / ${seconds(t.diffMs)} / ${seconds(t.planMs)}`
        : '–') +
      ' |';
    md.push(
      row('plan-edited', te),
      row('migra'),
      row('plan-unchanged', tu),
      row('plan-unchanged-cold', timingsOf(samples['plan-unchanged-cold'])),
      row('introspect'),
      `| ${tables.toLocaleString('en')} | **ratios** | migra / plan: **${speedup.toFixed(2)}x** (≥ 4x); unchanged plan / introspection: **${drift.toFixed(2)}x** (≤ 2x; ${driftCold.toFixed(2)}x without the load cache) | | | pull ${seconds(pulled.ms)}; ${edits.length} tables edited; second plan ${secondSteps} steps |`,
    );
  } finally {
    await sql(adminUrl, 'DROP DATABASE IF EXISTS bench_desired WITH (FORCE)').catch(() => {});
    await sql(adminUrl, 'DROP DATABASE IF EXISTS bench_current WITH (FORCE)').catch(() => {});
    rmSync(work, { recursive: true, force: true });
  }
}

async function main() {
  const a = args();
  const script = await bundleChild(join(import.meta.dirname, 'lib/plan-child.ts'), 'plan-child');
  const bench = await startBenchServer('tidemark-bench-plan');
  const md: string[] = [];
  try {
    console.log(`machine: ${await machineLine(bench.adminUrl)}`);
    for (const tables of a.sizes) await benchSize(bench.adminUrl, script, tables, a, md);
    console.log('\nmarkdown:\n');
    console.log(
      '| tables | operation | time (median) | client CPU | peak RSS | load / introspection / shadow compile (tables) / diff / plan + prechecks |',
    );
    console.log('| --- | --- | --- | --- | --- | --- |');
    for (const line of md) console.log(line);
  } finally {
    await bench.close();
    rmSync(script, { force: true });
  }
}

await main();
