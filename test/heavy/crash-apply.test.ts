import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { indexState } from '../../src/apply/index-steps.js';
import { withClient } from '../../src/db/connect.js';
import { catalogFingerprint } from '../fixtures/apply/catalog-fingerprint.js';
import { fingerprintsAlong } from '../fixtures/apply/expected.js';
import { buildPlan, type GroupSpec } from '../fixtures/apply/plans.js';
import {
  type ChildExit,
  cloneDatabase,
  killDuringIndexBuild,
  runApplyChild,
  waitForApplyToEnd,
} from '../helpers/apply-child.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';

/**
 * Crash safety (TESTING.md law 5): apply runs in a child process that is SIGKILLed right after each step's
 * statement (before the ledger records it) and once in the middle of a concurrent index build on 200k rows.
 * Each time the ledger must describe the database exactly, and running apply again must converge without
 * losing a row or re-running a completed step.
 */

const SETUP = `
create table parents (id bigint primary key, name text not null);
create table children (id bigint primary key, parent_id bigint, amount integer, note text);
insert into parents select g, 'p' || g from generate_series(1, 1000) g;
insert into children select g, (g % 1000) + 1, g % 97, md5(g::text) || md5((g * 7)::text)
  from generate_series(1, 200000) g;
analyze;`;

const idx = (sql: string, target: string, table: string) => ({ sql, change: 'index.create', target, table });
const GROUPS: GroupSpec[] = [
  {
    transactional: true,
    steps: [
      'create table audit_log (id bigint generated always as identity primary key, at timestamptz default now())',
      'alter table children add column status text',
    ],
  },
  {
    transactional: true,
    steps: [
      'alter table children add constraint children_parent_fk foreign key (parent_id) references parents (id) not valid',
      'alter table children add constraint children_amount_check check (amount >= 0) not valid',
    ],
  },
  {
    transactional: false,
    steps: [
      idx(
        'create index concurrently children_parent_idx on public.children (parent_id)',
        'public.children_parent_idx',
        'public.children',
      ),
    ],
  },
  {
    transactional: false,
    steps: [
      idx(
        'create index concurrently children_note_idx on public.children (note)',
        'public.children_note_idx',
        'public.children',
      ),
    ],
  },
  { transactional: true, steps: ['alter table children validate constraint children_parent_fk'] },
  { transactional: true, steps: ['alter table children validate constraint children_amount_check'] },
  {
    transactional: true,
    steps: ['alter table children add constraint children_parent_nn check (parent_id is not null) not valid'],
  },
  { transactional: true, steps: ['alter table children validate constraint children_parent_nn'] },
  {
    transactional: true,
    steps: [
      'alter table children alter column parent_id set not null',
      'alter table children drop constraint children_parent_nn',
    ],
  },
  {
    transactional: false,
    steps: [
      idx(
        'create unique index concurrently parents_name_key on public.parents (name)',
        'public.parents_name_key',
        'public.parents',
      ),
    ],
  },
  {
    transactional: true,
    steps: [
      'alter table parents add constraint parents_name_key unique using index parents_name_key',
      "comment on table children is 'crash tested'",
    ],
  },
];

const CHECKSUM = `select
  (select count(*) from children)::int as children,
  (select md5(string_agg(id || ':' || parent_id || ':' || amount || ':' || note, ',' order by id)) from children) as c,
  (select md5(string_agg(id || ':' || name, ',' order by id)) from parents) as p`;

const script = fileURLToPath(new URL('../fixtures/apply/run-apply.ts', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'tidemark-crash-'));
const planFile = join(dir, 'crash.plan.json');
let seed: TestDatabase;
let along: string[];
let checksum: Record<string, unknown>;
const plan = () => buildPlan({ groups: GROUPS, from: along[0]!, to: along.at(-1)! });
const steps = () => plan().groups.flatMap((g) => g.steps);

beforeAll(async () => {
  seed = await createTestDatabase('crashseed');
  const client = new pg.Client({ connectionString: seed.url });
  await client.connect();
  await client.query(SETUP);
  checksum = (await client.query(CHECKSUM)).rows[0] as Record<string, unknown>;
  await client.end();
  along = await fingerprintsAlong(SETUP, GROUPS);
  writeFileSync(planFile, JSON.stringify(plan()));
}, 300_000);

afterAll(async () => {
  await seed?.drop();
  rmSync(dir, { recursive: true, force: true });
});

const cloneSeed = (name: string) => cloneDatabase(seed, name);
const runChild = (url: string, env: Record<string, string> = {}) => runApplyChild(script, planFile, url, env);

const ledgerSteps = (url: string) =>
  withClient(
    url,
    async (c) =>
      (
        await c.query<{ n: number; status: string; attempts: number }>(
          'select n, status, attempts from tidemark.steps order by n',
        )
      ).rows,
  );

/** After the rerun: converged, every row intact, one run, every step completed. */
async function expectConverged(url: string, exit: ChildExit, attempts: (n: number) => number): Promise<void> {
  expect(exit.stderr).toBe('');
  expect(exit.code).toBe(0);
  const result = JSON.parse(
    exit.stdout
      .split('\n')
      .find((l) => l.startsWith('RESULT '))!
      .slice(7),
  );
  expect(result.resumed).toBe(true);
  expect(await catalogFingerprint(url)).toBe(along.at(-1));
  expect(await withClient(url, async (c) => (await c.query(CHECKSUM)).rows[0])).toEqual(checksum);
  expect(await ledgerSteps(url)).toEqual(
    steps().map((s) => ({ n: s.n, status: 'completed', attempts: attempts(s.n) })),
  );
  const runs = await withClient(url, async (c) => (await c.query('select status from tidemark.plans')).rows);
  expect(runs).toEqual([{ status: 'completed' }]);
}

describe('crash safety of apply', () => {
  const all = () => steps();
  const count = GROUPS.reduce((a, g) => a + g.steps.length, 0);

  it('has a plan of at least 12 steps with concurrent builds and validations', () => {
    expect(count).toBeGreaterThanOrEqual(12);
    expect(all().filter((s) => !s.transactional).length).toBe(3);
    expect(all().filter((s) => /validate constraint/.test(s.sql)).length).toBe(3);
  });

  for (let n = 1; n <= count; n++) {
    it(`converges after a SIGKILL right after step ${n}`, async () => {
      const db = await cloneSeed(`crash_after_${n}`);
      try {
        const killed = await runChild(db.url, { TIDEMARK_TEST_KILL_AFTER_STEP: String(n) }).done;
        expect(killed.signal).toBe('SIGKILL');
        const step = all().find((s) => s.n === n)!;
        const group = plan().groups.find((g) => g.steps.some((s) => s.n === n))!;
        // What the ledger must say: every step of the groups before committed, a killed transactional group
        // left no row, a killed non-transactional step is `started`, and its effect (the index) exists.
        const firstOfGroup = group.steps[0]!.n;
        const committed = step.transactional ? firstOfGroup - 1 : n - 1;
        const expected = all()
          .filter((s) => s.n <= committed)
          .map((s) => ({ n: s.n, status: 'completed', attempts: 1 }));
        if (!step.transactional) expected.push({ n, status: 'started', attempts: 1 });
        expect(await ledgerSteps(db.url)).toEqual(expected);
        expect(await catalogFingerprint(db.url)).toBe(along[step.transactional ? committed : n]);

        const rerun = await runChild(db.url).done;
        await expectConverged(db.url, rerun, () => 1);
      } finally {
        await db.drop();
      }
    }, 120_000);
  }

  it('converges after a SIGKILL in the middle of a concurrent index build, rebuilding the INVALID index', async () => {
    const db = await cloneSeed('crash_during_build');
    try {
      const { child, done } = runChild(db.url);
      const phase = await killDuringIndexBuild(db.url, child, 'children_note_idx', 2000);
      expect(phase).toMatch(/building index/);
      expect((await done).signal).toBe('SIGKILL');
      await waitForApplyToEnd(db.url);
      const state = await withClient(db.url, (c) =>
        indexState(c, { schema: 'public', name: 'children_note_idx' }),
      );
      expect(state).toBe('invalid');
      const ledger = await ledgerSteps(db.url);
      expect(ledger.at(-1)).toEqual({ n: 6, status: 'started', attempts: 1 });

      const rerun = await runChild(db.url).done;
      expect(rerun.stdout).toContain('dropping the INVALID index public.children_note_idx');
      await expectConverged(db.url, rerun, (n) => (n === 6 ? 2 : 1));
    } finally {
      await db.drop();
    }
  }, 120_000);
});
