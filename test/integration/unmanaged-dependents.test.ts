import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveConfig } from '../../src/config/config.js';
import { InputError } from '../../src/errors.js';
import { introspect } from '../../src/introspect/index.js';
import { fingerprint } from '../../src/model/fingerprint.js';
import { planForTarget } from '../../src/plan/create.js';
import { executePlanSql, planAgainst } from '../helpers/converge.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';

/**
 * A column or table the plan drops or retypes (an enum rebuilt to drop a value retypes its columns) that an
 * unmanaged view, materialized view, policy or trigger depends on would stop the apply at that step
 * (PostgreSQL refuses, and tidemark never drops what it does not manage). The plan is refused instead, one
 * error per blocked change naming what is in the way, and the database is left as it was; a policy of a table
 * the plan drops goes with it and blocks nothing. Drift still reports such a difference.
 */

let db: TestDatabase;
const dir = mkdtempSync(join(tmpdir(), 'tidemark-unmanaged-dependents-'));

const SCHEMA = [
  'tables:',
  '  users:',
  '    columns:',
  '      id: { type: bigint, primaryKey: true }',
  '      name: { type: text }',
  '  orders:',
  '    columns:',
  '      id: { type: bigint, primaryKey: true }',
  '      total: { type: bigint }',
  '  notes:',
  '    columns:',
  '      id: { type: bigint, primaryKey: true }',
  '      body: { type: text }',
  '  flags:',
  '    columns:',
  '      id: { type: bigint, primaryKey: true }',
  '  moods:',
  '    columns:',
  '      id: { type: bigint, primaryKey: true }',
  '      m: { type: mood }',
  'enums:',
  '  mood: [calm, lively]',
  '',
].join('\n');

beforeAll(async () => {
  db = await createTestDatabase('unmanaged_deps');
  await db.query(`
    CREATE TABLE users (id bigint PRIMARY KEY, name text, email text, nick text);
    CREATE VIEW user_emails AS SELECT id, email FROM users;
    CREATE TABLE orders (id bigint PRIMARY KEY, total numeric(12, 2));
    CREATE MATERIALIZED VIEW order_sums AS SELECT sum(total) AS total FROM orders;
    CREATE TABLE notes (id bigint PRIMARY KEY, body text, owner text);
    ALTER TABLE notes ENABLE ROW LEVEL SECURITY;
    CREATE POLICY notes_owner ON notes USING (owner = current_user);
    CREATE TABLE flags (id bigint PRIMARY KEY, on_off boolean);
    CREATE FUNCTION flags_touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;
    CREATE TRIGGER flags_touch BEFORE UPDATE ON flags FOR EACH ROW WHEN (NEW.on_off) EXECUTE FUNCTION flags_touch();
    CREATE TABLE archive (id bigint PRIMARY KEY);
    CREATE VIEW archive_ids AS SELECT id FROM archive;
    CREATE TABLE scratch (id bigint PRIMARY KEY, who text);
    ALTER TABLE scratch ENABLE ROW LEVEL SECURITY;
    CREATE POLICY scratch_who ON scratch USING (who = current_user);
    CREATE TYPE mood AS ENUM ('calm', 'lively', 'grumpy');
    CREATE TABLE moods (id bigint PRIMARY KEY, m mood);
    CREATE VIEW mood_counts AS SELECT m, count(*) FROM moods GROUP BY m;
  `);
  writeFileSync(join(dir, 'schema.yaml'), SCHEMA);
}, 120_000);

afterAll(async () => {
  await db?.drop();
  rmSync(dir, { recursive: true, force: true });
});

describe('changes blocked by objects tidemark does not manage', () => {
  it('refuse the plan, naming each blocked change and what depends on it, and change nothing', async () => {
    const before = fingerprint((await introspect(db.url, { schemas: ['public'] })).model);
    const error = await planAgainst(db.url, dir).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).message).toBe(
      '6 changes are blocked by objects tidemark does not manage; nothing was planned',
    );
    const diagnostics = (error as InputError).diagnostics ?? [];
    expect(diagnostics.map((d) => [d.file, d.line, d.code, d.message])).toEqual([
      [
        '(database)',
        1,
        'blocked-by-unmanaged',
        'table public.archive cannot be dropped: view public.archive_ids depends on it, which tidemark does not manage',
      ],
      [
        expect.stringMatching(/schema\.yaml$/),
        2,
        'blocked-by-unmanaged',
        'column public.users.email cannot be dropped: view public.user_emails depends on it, which tidemark does not manage',
      ],
      [
        expect.stringMatching(/schema\.yaml$/),
        9,
        'blocked-by-unmanaged',
        'column public.orders.total cannot be changed to another type: materialized view public.order_sums depends on it, which tidemark does not manage',
      ],
      [
        expect.stringMatching(/schema\.yaml$/),
        10,
        'blocked-by-unmanaged',
        'column public.notes.owner cannot be dropped: policy notes_owner on public.notes depends on it, which tidemark does not manage',
      ],
      [
        expect.stringMatching(/schema\.yaml$/),
        14,
        'blocked-by-unmanaged',
        'column public.flags.on_off cannot be dropped: trigger flags_touch on public.flags depends on it, which tidemark does not manage',
      ],
      [
        expect.stringMatching(/schema\.yaml$/),
        20,
        'blocked-by-unmanaged',
        'column public.moods.m cannot be converted to the rebuilt enum: view public.mood_counts depends on it, which tidemark does not manage',
      ],
    ]);
    expect(fingerprint((await introspect(db.url, { schemas: ['public'] })).model)).toBe(before);
  });

  it('still reports the difference as drift', async () => {
    const config = resolveConfig({ db: db.url, schemaDir: dir }, {}, process.cwd());
    const result = await planForTarget({
      config,
      targetUrl: db.url,
      prechecks: false,
      allowHazards: [],
      refuseBlocked: false,
    });
    expect(result.changes.map((c) => c.kind)).toContain('column.drop');
    const cli = join(import.meta.dirname, '..', '..', 'dist', 'cli', 'main.js');
    let status = 0;
    try {
      execFileSync('node', [cli, 'drift', '--db', db.url, '--schema-dir', dir, '--no-color'], {
        stdio: 'pipe',
        env: { ...process.env, TIDEMARK_CACHE: 'off' },
      });
    } catch (error) {
      status = (error as { status: number }).status;
    }
    expect(status).toBe(2);
  });

  it('plans, and converges, once the objects in the way are gone', async () => {
    await db.query(`
      DROP VIEW user_emails;
      DROP MATERIALIZED VIEW order_sums;
      DROP POLICY notes_owner ON notes;
      DROP TRIGGER flags_touch ON flags;
      DROP VIEW archive_ids;
      DROP VIEW mood_counts;
    `);
    const result = await planAgainst(db.url, dir);
    // The scratch table's own policy went with it.
    expect(result.plan.groups.flatMap((g) => g.steps.map((s) => s.sql))).toContain(
      'DROP TABLE public.scratch',
    );
    await executePlanSql(db.url, result.plan);
    expect((await planAgainst(db.url, dir)).plan.groups).toEqual([]);
  });
});
