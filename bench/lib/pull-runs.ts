import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { parse } from 'yaml';
import { type ProcessSample, timeProcess } from './process-time.js';

/**
 * The two pulls of bench/pull.ts, each run as its user runs it, in a fresh temporary directory, with the
 * database URL in the environment (never in argv, which `ps` shows to everyone on the machine), and what each
 * wrote counted so that a run that failed or wrote half a schema is never reported as fast.
 */

export interface PullRun {
  readonly sample: ProcessSample;
  /** Counts of what the tool wrote, read back from its files. */
  readonly produced: Readonly<Record<string, number>>;
  /** Files written, bytes in total. */
  readonly files: number;
  readonly bytes: number;
}

const REPO = join(import.meta.dirname, '../..');
export const TIDEMARK_CLI = join(REPO, 'dist/cli/main.js');

/** Everything under `dir`, recursively, relative paths. */
function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile()) out.push(relative(dir, p));
    }
  };
  walk(dir);
  return out.sort();
}

const occurrences = (text: string, pattern: RegExp): number => text.match(pattern)?.length ?? 0;

function totalBytes(dir: string, files: readonly string[]): number {
  return files.reduce((n, f) => n + readFileSync(join(dir, f)).length, 0);
}

/**
 * Settings a developer's shell may carry that would change what the CLI reads: the run must see only the
 * database given here and no project configuration (it runs in an empty directory, so no tidemark.yaml is
 * found upward either).
 */
function cleanTidemarkEnv(): Record<string, undefined> {
  const out: Record<string, undefined> = { SHADOW_DATABASE_URL: undefined };
  for (const key of Object.keys(process.env)) if (key.startsWith('TIDEMARK_')) out[key] = undefined;
  return out;
}

/** `tidemark pull --out <dir>/out --force` with DATABASE_URL set, from the built CLI. */
export async function tidemarkPull(url: string, dir: string, timeoutMs: number): Promise<PullRun> {
  const out = join(dir, 'out');
  const sample = await timeProcess(process.execPath, [TIDEMARK_CLI, 'pull', '--out', out, '--force'], {
    cwd: dir,
    env: { ...cleanTidemarkEnv(), DATABASE_URL: url },
    timeoutMs,
  });
  const files = filesUnder(out).filter((f) => /\.ya?ml$/.test(f));
  return { sample, produced: countYaml(out, files), files: files.length, bytes: totalBytes(out, files) };
}

type YamlMap = Record<string, unknown>;
const entries = (v: unknown): number =>
  Array.isArray(v) ? v.length : v && typeof v === 'object' ? Object.keys(v).length : 0;

/** Tables, columns and constraints read back from the pulled files with the YAML parser. */
function countYaml(dir: string, files: readonly string[]): Record<string, number> {
  const counts = { tables: 0, columns: 0, 'foreign keys': 0, checks: 0, indexes: 0, enums: 0 };
  for (const f of files) {
    const doc = (parse(readFileSync(join(dir, f), 'utf8')) ?? {}) as YamlMap;
    counts.enums += entries(doc.enums);
    for (const table of Object.values((doc.tables ?? {}) as Record<string, YamlMap>)) {
      counts.tables++;
      counts.columns += entries(table.columns);
      counts['foreign keys'] += entries(table.foreignKeys);
      counts.checks += entries(table.checks);
      counts.indexes += entries(table.indexes) + entries(table.unique);
    }
  }
  return counts;
}

/**
 * `drizzle-kit pull` with a generated drizzle.config.cjs that takes the URL from process.env, run from the
 * project's node_modules (drizzle-kit loads the `pg` driver the project already depends on).
 */
export async function drizzlePull(url: string, dir: string, timeoutMs: number): Promise<PullRun> {
  const out = join(dir, 'out');
  const config = join(dir, 'drizzle.config.cjs');
  writeFileSync(
    config,
    `module.exports = {\n  dialect: 'postgresql',\n  out: ${JSON.stringify(out)},\n` +
      `  dbCredentials: { url: process.env.DATABASE_URL },\n};\n`,
  );
  const bin = join(drizzleKitDir(), drizzleKitPackage().bin['drizzle-kit'] ?? 'bin.cjs');
  const sample = await timeProcess(process.execPath, [bin, 'pull', '--config', config], {
    cwd: dir,
    env: { DATABASE_URL: url },
    timeoutMs,
  });
  const files = filesUnder(out);
  const schema = existsSync(join(out, 'schema.ts')) ? readFileSync(join(out, 'schema.ts'), 'utf8') : '';
  return {
    sample,
    produced: {
      pgTable: occurrences(schema, /\bpgTable\(/g),
      'foreign keys': occurrences(schema, /\bforeignKey\(/g),
      checks: occurrences(schema, /\bcheck\(/g),
      indexes: occurrences(schema, /\b(?:uniqueIndex|index)\(/g),
      pgEnum: occurrences(schema, /\bpgEnum\(/g),
    },
    files: files.length,
    bytes: totalBytes(out, files),
  };
}

/** The package exports neither its bin nor its package.json: find them beside its main entry. */
function drizzleKitDir(): string {
  return dirname(createRequire(join(REPO, 'package.json')).resolve('drizzle-kit'));
}

function drizzleKitPackage(): { version: string; bin: Record<string, string> } {
  return JSON.parse(readFileSync(join(drizzleKitDir(), 'package.json'), 'utf8'));
}

export function drizzleKitVersion(): string {
  return drizzleKitPackage().version;
}
