import { execFile } from 'node:child_process';
import {
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
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';

/**
 * `tidemark pull` end to end through the built CLI: a database restored from `pg_dump -s`-style SQL is pulled,
 * the result passes `tidemark validate`, a second pull refuses the full directory without --force, and with
 * --force only the files an earlier pull wrote are replaced.
 */

const ROOT = join(import.meta.dirname, '../..');
const MAIN = join(ROOT, 'dist/cli/main.js');
const run = promisify(execFile);

interface Outcome {
  code: number;
  stdout: string;
  stderr: string;
}

let cwd: string;

async function cli(...args: string[]): Promise<Outcome> {
  return cliIn(cwd, ...args);
}

async function cliIn(dir: string, ...args: string[]): Promise<Outcome> {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1' };
  delete env.DATABASE_URL;
  try {
    const { stdout, stderr } = await run(process.execPath, [MAIN, ...args], { cwd: dir, env });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string, prefix: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      if (e.isDirectory()) walk(join(d, e.name), `${prefix}${e.name}/`);
      else out[`${prefix}${e.name}`] = readFileSync(join(d, e.name), 'utf8');
    }
  };
  walk(dir, '');
  return out;
}

let db: TestDatabase;

beforeAll(async () => {
  // test/setup/global.ts builds dist/ once for the run; rebuilding here would race other CLI tests.
  expect(existsSync(MAIN), 'dist/ is built by the global setup').toBe(true);
  cwd = mkdtempSync(join(tmpdir(), 'tidemark-pull-cli-'));
  db = await createTestDatabase('pullcli');
  await db.query(readFileSync(join(ROOT, 'fixtures/roundtrip/pg-dump-app.sql'), 'utf8'));
}, 180_000);

afterAll(async () => {
  await db?.drop();
  if (cwd) rmSync(cwd, { recursive: true, force: true });
});

describe('tidemark pull', () => {
  it('writes one file per table plus types.yaml, which tidemark validate accepts', async () => {
    const pulled = await cli('pull', '--db', db.url, '--out', 'schema');
    expect(pulled.stderr).toBe('');
    expect(pulled.code).toBe(0);
    expect(pulled.stdout).toContain('7 files written: 6 tables, 2 enums, 2 sequences, 1 extension');
    expect(pulled.stdout).toContain('view public.open_tasks');
    expect(pulled.stdout).toContain('trigger tasks_touch on public.tasks');
    expect(pulled.stdout).not.toContain(new URL(db.url).password || '\0');
    expect(Object.keys(snapshot(join(cwd, 'schema'))).sort()).toEqual([
      'comments.yaml',
      'memberships.yaml',
      'organizations.yaml',
      'projects.yaml',
      'tasks.yaml',
      'types.yaml',
      'users.yaml',
    ]);
    const types = readFileSync(join(cwd, 'schema/types.yaml'), 'utf8');
    // No tidemark in the project's node_modules: the comment points at the package pull runs from.
    const header = /^# yaml-language-server: \$schema=(\S+)\n/.exec(types);
    expect(existsSync(join(cwd, 'schema', header![1]!))).toBe(true);
    expect(types).toContain('#   view public.open_tasks\n');

    const validated = await cli('validate', '--schema-dir', 'schema');
    expect(validated.stderr).toBe('');
    expect(validated.code).toBe(0);
  });

  it('writes the same bytes on every pull', async () => {
    expect((await cli('pull', '--db', db.url, '--out', 'again')).code).toBe(0);
    expect(snapshot(join(cwd, 'again'))).toEqual(snapshot(join(cwd, 'schema')));
  });

  it('refuses a directory that is not empty unless --force is given', async () => {
    const before = snapshot(join(cwd, 'schema'));
    const refused = await cli('pull', '--db', db.url, '--out', 'schema');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/not empty.*--force/);
    expect(snapshot(join(cwd, 'schema'))).toEqual(before);
  });

  it('with --force removes files of tables gone since, keeps files a person wrote, and warns about their YAML', async () => {
    const dir = join(cwd, 'schema');
    writeFileSync(join(dir, 'README.md'), 'notes\n');
    mkdirSync(join(dir, 'old'));
    writeFileSync(join(dir, 'old/stale.yaml'), readFileSync(join(dir, 'comments.yaml')));
    writeFileSync(join(dir, 'extra.yml'), 'schema: public\n');
    await db.query('DROP TABLE public.comments');

    const forced = await cli('pull', '--db', db.url, '--out', 'schema', '--force');
    expect(forced.code).toBe(0);
    expect(forced.stdout).toContain(
      '2 stale files of an earlier pull removed: comments.yaml, old/stale.yaml',
    );
    expect(forced.stderr).toContain('extra.yml');
    expect(existsSync(join(dir, 'comments.yaml'))).toBe(false);
    expect(existsSync(join(dir, 'old'))).toBe(false);
    expect(readFileSync(join(dir, 'README.md'), 'utf8')).toBe('notes\n');
    expect(readFileSync(join(dir, 'extra.yml'), 'utf8')).toBe('schema: public\n');
    expect(Object.keys(snapshot(dir))).toContain('tasks.yaml');
    expect((await cli('validate', '--schema-dir', 'schema')).code).toBe(0);
  });

  it('names foreign key targets outside the pulled schemas, which validate accepts once ignored', async () => {
    const project = join(cwd, 'supabase-like');
    mkdirSync(project);
    await db.query(`
      CREATE SCHEMA auth;
      CREATE TABLE auth.users (id uuid PRIMARY KEY);
      CREATE TABLE public.profiles (id uuid PRIMARY KEY REFERENCES auth.users (id) ON DELETE CASCADE);
    `);
    const pulled = await cliIn(project, 'pull', '--db', db.url, '--out', 'schema');
    expect(pulled.code).toBe(0);
    expect(pulled.stderr).toContain('foreign keys reference tables outside the pulled schemas: auth.users');
    expect((await cliIn(project, 'validate')).code).toBe(1);
    writeFileSync(join(project, 'tidemark.yaml'), 'ignore: ["auth.users"]\n');
    const validated = await cliIn(project, 'validate');
    expect(validated.stderr).toBe('');
    expect(validated.code).toBe(0);
    const again = await cliIn(project, 'pull', '--db', db.url, '--out', 'again');
    expect(again.stderr).toBe('');
  });

  it('pulls a schema the database lacks to an empty directory that plans as empty', async () => {
    const project = join(cwd, 'nothing-there');
    mkdirSync(project);
    const pulled = await cliIn(project, 'pull', '--db', db.url, '--schemas', 'gone', '--out', 'schema');
    expect(pulled.code).toBe(0);
    expect(pulled.stdout).toContain('0 files written');
    expect(pulled.stderr).toContain('warning: the database has no schema gone;');
    expect(readdirSync(join(project, 'schema'))).toEqual([]);
    const validated = await cliIn(project, 'validate');
    expect(validated.stderr).toBe('');
    expect(validated.code).toBe(0);
  });

  it('writes what the tables require under requires:, which apply creates where it is missing', async () => {
    await db.query(`
      CREATE SCHEMA dom;
      CREATE DOMAIN dom."Email" AS text CHECK (VALUE LIKE '%@%');
      CREATE TYPE dom.address AS (street text, email dom."Email");
      CREATE FUNCTION dom.is_code(v text) RETURNS boolean LANGUAGE sql IMMUTABLE AS $$ SELECT v ~ '^[A-Z]+$' $$;
      CREATE FUNCTION dom.unused() RETURNS int LANGUAGE sql AS $$ SELECT 1 $$;
      CREATE TABLE dom.contacts (id int PRIMARY KEY, email dom."Email"[], home dom.address,
        code text CHECK (dom.is_code(code)));
    `);
    const project = join(cwd, 'requires');
    mkdirSync(project);
    const pulled = await cliIn(project, 'pull', '--db', db.url, '--schemas', 'dom', '--out', 'schema');
    expect(pulled.code).toBe(0);
    expect(pulled.stderr).toBe('');
    const types = readFileSync(join(project, 'schema/dom/types.yaml'), 'utf8');
    // In creation order, each after what it needs; the function no table uses is left out.
    const kinds = [...types.matchAll(/^ {2}- (\w+): (.+)$/gm)].map((m) => `${m[1]} ${m[2]}`);
    expect(kinds).toEqual(['domain dom."Email"', 'type dom.address', 'function dom.is_code(text)']);
    expect(types).not.toContain('function: dom.unused');

    const empty = await createTestDatabase('pullreq');
    try {
      await empty.query('CREATE SCHEMA dom');
      const env = ['--db', empty.url, '--schemas', 'dom'];
      const applied = await cliIn(project, 'apply', ...env, '--yes', '--no-snapshot');
      expect(applied.stderr).toBe('');
      expect(applied.code).toBe(0);
      const again = await cliIn(project, 'plan', ...env, '--detailed-exitcode');
      expect(again.code).toBe(0);
      const rows = await empty.query(
        `SELECT to_regtype('dom."Email"') IS NOT NULL AS domain, to_regprocedure('dom.is_code(text)') IS NOT NULL AS fn`,
      );
      expect(rows).toEqual([{ domain: true, fn: true }]);
    } finally {
      await empty.drop();
    }
  });
});
