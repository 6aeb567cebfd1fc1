import { execFile } from 'node:child_process';
import {
  chmodSync,
  copyFileSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { pgDumpMajor } from '../fixtures/apply/dump-server.js';
import { createTestDatabase, pgMajor, type TestDatabase } from '../helpers/db.js';

/**
 * `tidemark apply` end to end through the built CLI on a golden case (FK, CHECK, unique and plain index on
 * existing tables): save a plan, apply it with a pg_dump snapshot, converge; refuse without confirmation,
 * refuse a stale plan, refuse an unapproved hazard.
 */

const ROOT = join(import.meta.dirname, '../..');
// A build of our own: dist/ is shared with other test files that rebuild it while we run. It sits under
// node_modules/.cache so packages resolve from the project, with package.json beside it for the version.
const BUILD = join(ROOT, 'node_modules/.cache', `tidemark-apply-cli-${process.pid}`);
const MAIN = join(BUILD, 'dist/cli/main.js');
const CASE = join(ROOT, 'fixtures/cases/online/add-fk-check-index-unique');
const HAZARDS = 'INDEX_BUILD,NON_TRANSACTIONAL,FULL_SCAN';
const run = promisify(execFile);

interface Outcome {
  code: number;
  stdout: string;
  stderr: string;
}

let cwd: string;
const databases: TestDatabase[] = [];

async function cli(...args: string[]): Promise<Outcome> {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1' };
  delete env.DATABASE_URL;
  try {
    const { stdout, stderr } = await run(process.execPath, [MAIN, ...args], { cwd, env });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

beforeAll(async () => {
  mkdirSync(BUILD, { recursive: true });
  for (const file of ['package.json', 'tidemark.schema.json'])
    copyFileSync(join(ROOT, file), join(BUILD, file));
  await run(
    process.execPath,
    [
      join(ROOT, 'node_modules/typescript/bin/tsc'),
      '-p',
      'tsconfig.build.json',
      '--outDir',
      join(BUILD, 'dist'),
    ],
    { cwd: ROOT },
  );
  cwd = mkdtempSync(join(tmpdir(), 'tidemark-apply-cli-'));
  cpSync(join(CASE, 'to'), join(cwd, 'schema'), { recursive: true });
}, 180_000);

afterEach(async () => {
  for (const db of databases.splice(0)) await db.drop();
});

afterAll(() => {
  if (cwd) rmSync(cwd, { recursive: true, force: true });
  rmSync(BUILD, { recursive: true, force: true });
});

async function freshDb(): Promise<TestDatabase> {
  const db = await createTestDatabase('applycli');
  databases.push(db);
  await db.query(readFileSync(join(CASE, 'from.sql'), 'utf8'));
  return db;
}

describe('tidemark apply', () => {
  it('applies a saved plan after a pg_dump snapshot, and the next plan is empty', async () => {
    const db = await freshDb();
    const planned = await cli(
      'plan',
      '--db',
      db.url,
      '--out',
      'plans/add.plan.json',
      '--allow-hazards',
      HAZARDS,
    );
    expect(planned.code).toBe(0);
    // This machine's pg_dump can snapshot a server of its own major or older; a newer server is refused first.
    const compatible = pgDumpMajor() >= pgMajor();
    if (!compatible) {
      const refused = await cli('apply', '--db', db.url, '--plan', 'plans/add.plan.json');
      expect(refused.code).toBe(1);
      expect(refused.stderr).toContain(`install postgresql-client-${pgMajor()}`);
      expect(refused.stderr).toContain('nothing was changed');
      expect(await db.query("select to_regnamespace('tidemark') as s")).toEqual([{ s: null }]);
    }
    const applied = await cli(
      'apply',
      '--db',
      db.url,
      '--plan',
      'plans/add.plan.json',
      ...(compatible ? [] : ['--no-snapshot']),
    );
    expect(applied.stderr).toBe('');
    expect(applied.code).toBe(0);
    expect(applied.stdout).toContain('7 steps in 6 groups');
    expect(applied.stdout).toMatch(/\[1\/7\] index\.create public\.children_code_key/);
    expect(applied.stdout).toContain('applied 7 step(s)');
    expect(applied.stdout).toContain('verified: the database matches the plan');
    expect(applied.stdout).not.toContain(new URL(db.url).password);
    if (compatible) {
      const dump = /snapshot: (\S+\.dump)/.exec(applied.stdout)?.[1];
      expect(dump && existsSync(dump)).toBe(true);
      expect(statSync(dump!).mode & 0o777).toBe(0o600);
      expect(dump!.startsWith(join(cwd, '.tidemark/snapshots'))).toBe(true);
      expect(applied.stdout).toContain('pg_restore --clean --if-exists');
    }
    const [run1] = await db.query('select status, snapshot_kind, approved_hazards from tidemark.plans');
    expect(run1).toEqual({
      status: 'completed',
      snapshot_kind: compatible ? 'pg_dump' : 'none',
      approved_hazards: HAZARDS.split(',').sort(),
    });
    const again = await cli('plan', '--db', db.url, '--detailed-exitcode');
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('No changes');
  });

  it('plans and applies the schema directory with --yes, and refuses without it when there is no terminal', async () => {
    const db = await freshDb();
    const refused = await cli('apply', '--db', db.url, '--allow-hazards', HAZARDS, '--no-snapshot');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('refusing to apply without confirmation: pass --yes');
    expect(await db.query("select to_regnamespace('tidemark') as s")).toEqual([{ s: null }]);

    const applied = await cli('apply', '--db', db.url, '--allow-hazards', HAZARDS, '--no-snapshot', '--yes');
    expect(applied.stderr).toBe('');
    expect(applied.code).toBe(0);
    expect(applied.stdout).toContain('no snapshot: --no-snapshot given');
    expect(await db.query('select snapshot_kind, snapshot_note, status from tidemark.plans')).toEqual([
      { snapshot_kind: 'none', snapshot_note: 'no snapshot: --no-snapshot given', status: 'completed' },
    ]);
  });

  it('refuses a saved plan after an out-of-band change, and a hazard nobody approved', async () => {
    const db = await freshDb();
    expect((await cli('plan', '--db', db.url, '--out', 'plans/stale.plan.json')).code).toBe(0);
    const hazard = await cli('apply', '--db', db.url, '--plan', 'plans/stale.plan.json', '--no-snapshot');
    expect(hazard.code).toBe(1);
    expect(hazard.stderr).toContain('hazards not approved');
    expect(hazard.stderr).toContain('--allow-hazards FULL_SCAN,INDEX_BUILD,NON_TRANSACTIONAL');

    const saved = JSON.parse(readFileSync(join(cwd, 'plans/stale.plan.json'), 'utf8'));
    writeFileSync(join(cwd, 'plans/old.plan.json'), JSON.stringify({ ...saved, toolVersion: '0.0.1' }));
    const old = await cli(
      'apply',
      '--db',
      db.url,
      '--plan',
      'plans/old.plan.json',
      '--allow-hazards',
      HAZARDS,
    );
    expect(old.code).toBe(1);
    expect(old.stderr).toContain('plan file plans/old.plan.json was made by tidemark 0.0.1');

    await db.query('alter table parents add column label text');
    const stale = await cli(
      'apply',
      '--db',
      db.url,
      '--plan',
      'plans/stale.plan.json',
      '--allow-hazards',
      HAZARDS,
    );
    expect(stale.code).toBe(1);
    expect(stale.stderr).toContain('the database changed since the plan was made');
    expect(stale.stderr).toContain('run tidemark plan to see what differs now');
    expect(await db.query("select to_regnamespace('tidemark') as s")).toEqual([{ s: null }]);
    expect(await db.query("select count(*)::int as n from pg_indexes where tablename = 'children'")).toEqual([
      { n: 1 },
    ]);
  });

  it('applies to the embedded local default database, snapshotting it by a database copy', async () => {
    const project = mkdtempSync(join(tmpdir(), 'tidemark-apply-embedded-'));
    // As root the embedded server runs as the postgres user, which must reach the project directory.
    chmodSync(project, 0o755);
    cpSync(join(CASE, 'to'), join(project, 'schema'), { recursive: true });
    // This machine's pg_dump (15) is older than the embedded server (17): the fallback is what a fresh machine gets.
    const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1' };
    delete env.DATABASE_URL;
    try {
      const { stdout } = await run(process.execPath, [MAIN, 'apply', '--yes', '--allow-hazards', HAZARDS], {
        cwd: project,
        env,
      });
      expect(stdout).toContain('local default database (embedded PostgreSQL');
      expect(stdout).toMatch(
        /snapshot: database copy tidemark_dev_snap_\d{8}t\d{6}z made with CREATE DATABASE … TEMPLATE/,
      );
      expect(stdout).toMatch(
        /\((pg_dump was not found on PATH|pg_dump \d+ \(\S+\) cannot dump a PostgreSQL 17 server); copied the database instead\)/,
      );
      expect(stdout).toMatch(/CREATE DATABASE tidemark_dev TEMPLATE tidemark_dev_snap_\d{8}t\d{6}z;/);
      expect(stdout).toContain('applied 4 step(s)');
      expect(stdout).toContain('verified: the database matches the plan');
    } finally {
      rmSync(project, { recursive: true, force: true });
    }
  }, 120_000);
});
