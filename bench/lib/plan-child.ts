/**
 * One measured operation of the plan benchmark, in a process of its own so its peak RSS is its own. The
 * parent (bench/plan.ts) passes the mode and paths as arguments and database URLs in the environment (never
 * in argv, which `ps` shows). Prints one JSON line: in-process milliseconds from before connecting until the
 * result is in hand, peak RSS, and what was produced.
 *
 * Modes:
 * - `pull DIR`: introspect TIDEMARK_BENCH_URL and write it as YAML into DIR, as `tidemark pull` does.
 * - `introspect`: `introspect()` of TIDEMARK_BENCH_URL alone.
 * - `plan DIR`: `planForTarget` of the YAML in DIR against TIDEMARK_BENCH_URL, with prechecks, as `tidemark plan`
 *   (with TIDEMARK_BENCH_NO_CACHE=1: as `tidemark plan --no-cache`).
 * - `load DIR`: load the YAML in DIR as `plan` does, filling its load cache.
 * - `migra`: `@pgkit/migra` from TIDEMARK_BENCH_URL to TIDEMARK_BENCH_URL_TO.
 */
import { resolveConfig } from '../../src/config/config.js';
import { introspect } from '../../src/introspect/index.js';
import { loadOrThrow, planForTarget } from '../../src/plan/create.js';
import { DEFAULT_PRECHECK_OPTIONS } from '../../src/plan/prechecks/run.js';
import { modelToYaml } from '../../src/pull/model-to-yaml.js';
import { writePulledFiles } from '../../src/pull/write-files.js';

type Out = Record<string, unknown>;

async function pull(url: string, dir: string): Promise<Out> {
  const result = await introspect(url, { schemas: ['public'] });
  const report = writePulledFiles(dir, modelToYaml(result), { force: true });
  return { files: report.written.length, tables: result.model.tables.length };
}

async function introspectOnly(url: string): Promise<Out> {
  const result = await introspect(url, { schemas: ['public'] });
  return { tables: result.model.tables.length };
}

/** As `tidemark plan` resolves it in the directory: the load cache in DIR/.tidemark/cache unless turned off. */
function configFor(url: string, dir: string) {
  const cache = process.env.TIDEMARK_BENCH_NO_CACHE === '1' ? { cache: false } : {};
  return resolveConfig({ db: url, schemaDir: dir, schemas: 'public', ...cache }, {}, dir);
}

async function load(url: string, dir: string): Promise<Out> {
  const state = await loadOrThrow(configFor(url, dir));
  return { tables: state.tables.length };
}

async function plan(url: string, dir: string): Promise<Out> {
  const config = configFor(url, dir);
  const result = await planForTarget({
    config,
    targetUrl: url,
    prechecks: true,
    precheck: DEFAULT_PRECHECK_OPTIONS,
    allowHazards: [],
  });
  const steps = result.plan.groups.reduce((n, g) => n + g.steps.length, 0);
  return { steps, summary: result.plan.summary, timings: result.timings };
}

async function migra(from: string, to: string): Promise<Out> {
  const { run } = await import('@pgkit/migra');
  const migration = await run(from, to, { unsafe: true });
  const statements = migration.sql.split(';\n').filter((s) => s.trim().length > 0).length;
  return { statements, bytes: migration.sql.length };
}

const [mode, arg] = process.argv.slice(2);
const url = process.env.TIDEMARK_BENCH_URL;
const to = process.env.TIDEMARK_BENCH_URL_TO;
const job =
  url === undefined
    ? undefined
    : mode === 'pull' && arg
      ? () => pull(url, arg)
      : mode === 'introspect'
        ? () => introspectOnly(url)
        : mode === 'plan' && arg
          ? () => plan(url, arg)
          : mode === 'load' && arg
            ? () => load(url, arg)
            : mode === 'migra' && to
              ? () => migra(url, to)
              : undefined;
if (!job) {
  process.stderr.write(
    'usage: TIDEMARK_BENCH_URL=... plan-child pull DIR | introspect | plan DIR | load DIR | migra\n',
  );
  process.exit(2);
}
const start = performance.now();
const out = await job();
const ms = performance.now() - start;
const usage = process.resourceUsage();
// CPU time of this process (microseconds → ms): less disturbed than wall time on a shared machine.
const cpuMs = (usage.userCPUTime + usage.systemCPUTime) / 1000;
process.stdout.write(`${JSON.stringify({ mode, ms, cpuMs, maxRssKiB: usage.maxRSS, ...out })}\n`);
// migra keeps its pool open; the measurement is taken, so leave without waiting for it.
process.exit(0);
