import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { indexState } from '../../src/apply/index-steps.js';
import { withClient } from '../../src/db/connect.js';
import type { Plan, Step } from '../../src/plan/types.js';
import {
  APPLY_PLANNED_SCRIPT,
  type ChildExit,
  cloneDatabase,
  killDuringIndexBuild,
  runApplyChild,
  waitForApplyToEnd,
} from '../helpers/apply-child.js';
import { planAgainst } from '../helpers/converge.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';

/**
 * An index whose definition changes is replaced build-new-then-swap: build under a temporary name, drop the
 * old one, rename. Killed at any point of that (in the middle of the build, or right after each of its three
 * steps) the table still has a valid index enforcing uniqueness, and running apply again converges to the
 * new definition under the old name, with no temporary index left.
 */

const ROWS = 200_000;
const SETUP = `
create table items (id bigint primary key, code text not null, note text);
insert into items select g, md5(g::text) || md5((g * 7)::text), 'n' || (g % 1000) from generate_series(1, ${ROWS}) g;
create unique index items_code_idx on items (code);
analyze;`;
const SCHEMA = `tables:
  items:
    columns:
      id: { type: bigint, notNull: true }
      code: { type: text, notNull: true }
      note: { type: text }
    primaryKey: [id]
    indexes:
      items_code_idx: { columns: [code], unique: true, include: [note], comment: One row per code }
`;

const dir = mkdtempSync(join(tmpdir(), 'tidemark-swap-'));
const planFile = join(dir, 'swap.plan.json');
let seed: TestDatabase;
let plan: Plan;
const steps = (): Step[] => plan.groups.flatMap((g) => g.steps);
const stepOf = (change: string) =>
  steps().find((s) => s.change === change && s.target.table === 'public.items')!;

beforeAll(async () => {
  seed = await createTestDatabase('swapseed');
  // Not through seed.query: its pool would keep a connection open, and a database being used cannot be a
  // template for the clones.
  await withClient(seed.url, (c) => c.query(SETUP));
  writeFileSync(join(dir, 'schema.yaml'), SCHEMA);
  plan = (await planAgainst(seed.url, dir)).plan;
  writeFileSync(planFile, JSON.stringify(plan));
}, 300_000);

afterAll(async () => {
  await seed?.drop();
  rmSync(dir, { recursive: true, force: true });
});

const cloneSeed = (name: string) => cloneDatabase(seed, name);
const runChild = (url: string, env: Record<string, string> = {}) =>
  runApplyChild(APPLY_PLANNED_SCRIPT, planFile, url, env);

interface IndexRow {
  name: string;
  valid: boolean;
  definition: string;
}

const indexes = (url: string) =>
  withClient(
    url,
    async (c) =>
      (
        await c.query<IndexRow>(
          `select c.relname as name, i.indisvalid and i.indisready as valid,
                  regexp_replace(pg_get_indexdef(i.indexrelid), ' INDEX \\S+ ON ', ' INDEX ON ') as definition
             from pg_index i join pg_class c on c.oid = i.indexrelid
            where i.indrelid = 'items'::regclass and not i.indisprimary order by c.relname`,
        )
      ).rows,
  );

const OLD = 'CREATE UNIQUE INDEX ON public.items USING btree (code)';
const NEW = 'CREATE UNIQUE INDEX ON public.items USING btree (code) INCLUDE (note)';

/** Uniqueness is enforced: a duplicate code is rejected. */
async function expectUniqueEnforced(url: string): Promise<void> {
  await expect(
    withClient(url, (c) => c.query('insert into items select -1, code, null from items where id = 1')),
  ).rejects.toThrow(/duplicate key value/);
}

async function expectConverged(url: string, exit: ChildExit): Promise<void> {
  expect(exit.stderr).toBe('');
  expect(exit.code).toBe(0);
  expect(await indexes(url)).toEqual([{ name: 'items_code_idx', valid: true, definition: NEW }]);
  const comment = await withClient(
    url,
    async (c) => (await c.query("select obj_description('items_code_idx'::regclass) as c")).rows[0]?.c,
  );
  expect(comment).toBe('One row per code');
  await expectUniqueEnforced(url);
  const ledger = await withClient(
    url,
    async (c) => (await c.query<{ status: string }>('select status from tidemark.steps order by n')).rows,
  );
  expect(ledger.map((r) => r.status)).toEqual(steps().map(() => 'completed'));
  expect((await planAgainst(url, dir)).plan.groups).toEqual([]);
}

describe('index replacement by build-new-then-swap, interrupted', () => {
  it('plans the swap: temporary build, concurrent drop of the old index, rename, comment', () => {
    const temp = stepOf('index.create').sql.match(/CONCURRENTLY (\S+) ON/)?.[1];
    expect(temp).toMatch(/^items_code_idx_tidemark_[0-9a-f]{8}$/);
    expect(steps().map((s) => [s.change, s.sql])).toEqual([
      ['index.create', `CREATE UNIQUE INDEX CONCURRENTLY ${temp} ON public.items (code) INCLUDE (note)`],
      ['index.drop', 'DROP INDEX CONCURRENTLY IF EXISTS public.items_code_idx'],
      ['index.rename', `ALTER INDEX public.${temp} RENAME TO items_code_idx`],
      ['index.comment', "COMMENT ON INDEX public.items_code_idx IS 'One row per code'"],
    ]);
    expect(steps().map((s) => s.lock)).toEqual(steps().map(() => 'SHARE UPDATE EXCLUSIVE'));
  });

  for (const change of ['index.create', 'index.drop', 'index.rename']) {
    it(`converges after a SIGKILL right after the ${change} step`, async () => {
      const step = stepOf(change);
      const db = await cloneSeed(`swap_after_${change.replace('.', '_')}`);
      try {
        const killed = await runChild(db.url, { TIDEMARK_TEST_KILL_AFTER_STEP: String(step.n) }).done;
        expect(killed.signal).toBe('SIGKILL');
        // Whatever was cut, the table has a valid unique index on code.
        const left = await indexes(db.url);
        expect(left.some((i) => i.valid && (i.definition === OLD || i.definition === NEW))).toBe(true);
        await expectUniqueEnforced(db.url);
        const rerun = await runChild(db.url).done;
        await expectConverged(db.url, rerun);
      } finally {
        await db.drop();
      }
    }, 120_000);
  }

  it('converges after a SIGKILL in the middle of the temporary build, dropping the INVALID leftover', async () => {
    const db = await cloneSeed('swap_during_build');
    const temp = stepOf('index.create').sql.match(/CONCURRENTLY (\S+) ON/)![1]!;
    try {
      const { child, done } = runChild(db.url);
      const phase = await killDuringIndexBuild(db.url, child, temp, 4000);
      expect(phase).toMatch(/building index/);
      expect((await done).signal).toBe('SIGKILL');
      await waitForApplyToEnd(db.url);
      // The old index still serves and enforces uniqueness next to the INVALID half-built one.
      expect(await withClient(db.url, (c) => indexState(c, { schema: 'public', name: temp }))).toBe(
        'invalid',
      );
      expect(await indexes(db.url)).toContainEqual({ name: 'items_code_idx', valid: true, definition: OLD });
      await expectUniqueEnforced(db.url);

      const rerun = await runChild(db.url).done;
      expect(rerun.stdout).toContain(`dropping the INVALID index public.${temp}`);
      await expectConverged(db.url, rerun);
    } finally {
      await db.drop();
    }
  }, 120_000);
});
