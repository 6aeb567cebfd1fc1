import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import type { Plan, Step } from '../../src/plan/types.js';
import { type CliResult, ROOT, runCli } from '../helpers/cli.js';
import { createTestDatabase, pgMajor, type TestDatabase } from '../helpers/db.js';

/**
 * The user's path through one seed system: a database built from fixtures/scenarios/<name>/before.sql, a
 * project directory of its own, and the built CLI run there exactly as the team would run it.
 */
export interface Scenario {
  readonly name: string;
  readonly db: TestDatabase;
  /** The project directory (the CLI's working directory): schema/, plans/, .tidemark/snapshots/. */
  readonly dir: string;
  readonly schemaDir: string;
  /** Run `tidemark <args>` in the project directory against the scenario database. */
  cli(command: string, ...args: string[]): Promise<CliResult>;
  /** Exact row count of a table. */
  count(table: string): Promise<number>;
  close(): Promise<void>;
}

export const SCENARIOS = join(ROOT, 'fixtures/scenarios');

export async function openScenario(name: string): Promise<Scenario> {
  const db = await createTestDatabase(name.replaceAll('-', '_'));
  await db.query(readFileSync(join(SCENARIOS, name, 'before.sql'), 'utf8'));
  const dir = mkdtempSync(join(tmpdir(), `tidemark-scenario-${name}-`));
  const schemaDir = join(dir, 'schema');
  return {
    name,
    db,
    dir,
    schemaDir,
    cli: (command, ...rest) =>
      runCli(command === 'validate' ? [command, ...rest] : [command, '--db', db.url, ...rest], { cwd: dir }),
    async count(table) {
      const [row] = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`);
      return row?.n ?? -1;
    },
    async close() {
      await db.drop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Run a command and fail with its output when the exit code is not the expected one. */
export async function expectExit(result: Promise<CliResult>, code: number): Promise<CliResult> {
  const r = await result;
  if (r.code !== code) {
    throw new Error(`expected exit ${code}, got ${r.code}\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`);
  }
  return r;
}

/**
 * What the team does after `pull`: delete the files of tables they drop (`git rm`) and replace the files they
 * edited with fixtures/scenarios/<name>/after/*.yaml.
 */
export function editToAfter(s: Scenario, removed: readonly string[]): void {
  for (const file of removed) {
    const path = join(s.schemaDir, file);
    expect(existsSync(path), `pull wrote ${file}`).toBe(true);
    rmSync(path);
  }
  const after = join(SCENARIOS, s.name, 'after');
  for (const file of readdirSync(after)) cpSync(join(after, file), join(s.schemaDir, file));
}

export function parsePlan(json: string): Plan {
  return JSON.parse(json) as Plan;
}

export function steps(plan: Plan): Step[] {
  return plan.groups.flatMap((g) => g.steps);
}

export function stepFor(plan: Plan, change: string, name: string): Step {
  const found = steps(plan).find((s) => s.change === change && s.target.name === name);
  if (!found) {
    const all = steps(plan).map((s) => `${s.change} ${s.target.name}`);
    throw new Error(`no ${change} step for ${name}; the plan has:\n${all.join('\n')}`);
  }
  return found;
}

/** Every hazard code in the plan, sorted: what `--allow-hazards` must name. */
export function hazardCodes(plan: Plan): string[] {
  return [...new Set(steps(plan).flatMap((s) => s.hazards.map((h) => h.code)))].sort();
}

/**
 * Snapshot flags for apply. A pg_dump snapshot needs pg_dump of the server's major or newer; the machines this
 * runs on have Debian's pg_dump 15, so on newer servers the scenarios apply with --no-snapshot (recorded in the
 * ledger). The refusal itself is tested in test/integration/snapshot.test.ts.
 */
export function snapshotArgs(): string[] {
  return pgMajor() <= 15 ? [] : ['--no-snapshot'];
}

/** Check the snapshot apply reported, or the recorded reason there was none. */
export function expectSnapshot(s: Scenario, applyOutput: string): void {
  if (pgMajor() <= 15) {
    const dump = /snapshot: (\S+\.dump)/.exec(applyOutput)?.[1];
    expect(dump, applyOutput).toBeDefined();
    expect(existsSync(dump!)).toBe(true);
    expect(dump!.startsWith(join(s.dir, '.tidemark/snapshots'))).toBe(true);
  } else {
    expect(applyOutput).toContain('no snapshot: --no-snapshot given');
  }
}

/**
 * The Markdown a reviewer sees on the pull request, compared with the committed
 * fixtures/scenarios/<name>/plan.md (UPDATE_GOLDEN=1 rewrites it). Fingerprints, the tool version and byte
 * sizes (which autovacuum may change by a page) are normalised; row counts, steps and hazards are not.
 */
export function expectGoldenPlan(name: string, markdown: string): void {
  const file = join(SCENARIOS, name, 'plan.md');
  if (process.env.UPDATE_GOLDEN === '1' || !existsSync(file)) {
    if (process.env.CI && !existsSync(file)) throw new Error(`${file} is missing; run with UPDATE_GOLDEN=1`);
    mkdirSync(join(SCENARIOS, name), { recursive: true });
    writeFileSync(file, markdown);
    return;
  }
  expect(normaliseMarkdown(markdown)).toBe(normaliseMarkdown(readFileSync(file, 'utf8')));
}

export function normaliseMarkdown(text: string): string {
  return text
    .replace(/sha256:[0-9a-f]{64}/g, 'sha256:…')
    .replace(/`sha256:[0-9a-f]+…`/g, '`sha256:…`')
    .replace(/`[0-9a-f]{8,}…`/g, '`…`')
    .replace(/tidemark \d+\.\d+\.\d+\S*/g, 'tidemark X')
    .replace(/\d+(\.\d+)? (B|kB|MB|GB)\b/g, 'N kB');
}
