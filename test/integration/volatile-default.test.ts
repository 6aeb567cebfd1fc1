import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hazardsOf } from '../../bench/lib/lock-run.js';
import { applyPlan, silentReporter } from '../../src/apply/index.js';
import type { ApplyReporter } from '../../src/apply/types.js';
import { introspect } from '../../src/introspect/index.js';
import { fingerprint } from '../../src/model/fingerprint.js';
import type { Plan } from '../../src/plan/types.js';
import { planAgainst } from '../helpers/converge.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';

/**
 * A new column with a volatile default on a table with rows is added without a rewrite: bare, then the
 * default for new rows, then the existing rows filled batch by batch through apply, each row with a value of
 * its own, then NOT NULL through the helper check. The table keeps its file (no rewrite), with and without a
 * primary key to walk.
 */
const KEYED_ROWS = 12_345;
const UNKEYED_ROWS = 7_000;
// Walking the key, the batch that finds no row left is counted too.
const batches = (rows: number) => Math.ceil(rows / 5000) + 1;

const SCHEMA = `tables:
  events:
    columns:
      id: { type: bigint, notNull: true }
      kind: { type: text }
      public_id: { type: uuid, notNull: true, default: gen_random_uuid() }
      token: { type: text, default: "md5(random()::text)", backfill: "'legacy-' || id" }
    primaryKey: [id]
  audit_trail:
    columns:
      message: { type: text }
      entry_id: { type: uuid, notNull: true, default: gen_random_uuid() }
`;

describe('volatile default on a table with rows', () => {
  let db: TestDatabase;
  let dir: string;
  let plan: Plan;
  let second: Plan;
  const messages: string[] = [];
  let filesBefore: Record<string, string>;

  const files = async () =>
    Object.fromEntries(
      (
        await db.query<{ relname: string; file: string }>(
          `select relname, pg_relation_filenode(oid)::text as file from pg_class
            where relname in ('events', 'audit_trail') order by relname`,
        )
      ).map((r) => [r.relname, r.file]),
    );

  beforeAll(async () => {
    db = await createTestDatabase('volatile');
    await db.query(`CREATE TABLE events (id bigint PRIMARY KEY, kind text);
      INSERT INTO events SELECT g, 'k' || (g % 3) FROM generate_series(1, ${KEYED_ROWS}) g;
      CREATE TABLE audit_trail (message text);
      INSERT INTO audit_trail SELECT 'm' || g FROM generate_series(1, ${UNKEYED_ROWS}) g;`);
    await db.query('VACUUM ANALYZE');
    filesBefore = await files();
    dir = mkdtempSync(join(tmpdir(), 'tidemark-volatile-'));
    writeFileSync(join(dir, 'schema.yaml'), SCHEMA);
    plan = (await planAgainst(db.url, dir, { prechecks: true })).plan;
    const reporter: ApplyReporter = { ...silentReporter, info: (m: string) => messages.push(m) };
    await applyPlan(plan, {
      targetUrl: db.url,
      config: { lockTimeoutMs: 2000, retries: 3, snapshotDir: dir },
      allowHazards: hazardsOf(plan),
      snapshot: { kind: 'none', reason: 'volatile default test' },
      currentFingerprint: async () =>
        fingerprint((await introspect(db.url, { schemas: plan.schemas })).model),
      reporter,
    });
    second = (await planAgainst(db.url, dir)).plan;
  }, 120_000);

  afterAll(async () => {
    await db?.drop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const steps = () => plan.groups.flatMap((g) => g.steps);

  it('plans no rewrite: bare column, default, batched fill (by key where there is one), NOT NULL by helper', () => {
    expect(steps().flatMap((s) => s.hazards.map((h) => h.code))).not.toContain('TABLE_REWRITE');
    const fills = steps().filter((s) => s.change === 'column.backfill');
    expect(fills.map((s) => [s.target.name, s.batch?.value, s.batch?.key])).toEqual([
      ['public.audit_trail.entry_id', 'gen_random_uuid()', null],
      ['public.events.public_id', 'gen_random_uuid()', { column: 'id', type: 'bigint' }],
      ['public.events.token', "'legacy-' || id", { column: 'id', type: 'bigint' }],
    ]);
    // The precheck says how many rows each fill writes, and that it is no reason to refuse.
    expect(fills.map((s) => [s.precheck?.kind, s.precheck?.count])).toEqual([
      ['nulls', UNKEYED_ROWS],
      ['nulls', KEYED_ROWS],
      ['nulls', KEYED_ROWS],
    ]);
    expect(steps().flatMap((s) => s.hazards.map((h) => h.code))).not.toContain('WILL_FAIL_ON_DATA');
    expect(
      steps()
        .filter((s) => s.change === 'column.set-not-null')
        .map((s) => s.target.name),
    ).toEqual(['public.audit_trail.entry_id', 'public.events.public_id']);
  });

  it('fills every existing row with a value of its own, in batches, without rewriting either table', async () => {
    const [events] = await db.query<{ n: string; distinct: string; legacy: string }>(
      `select count(*) as n, count(distinct public_id) as distinct,
              count(*) filter (where token = 'legacy-' || id) as legacy from events`,
    );
    expect(events).toEqual({
      n: String(KEYED_ROWS),
      distinct: String(KEYED_ROWS),
      legacy: String(KEYED_ROWS),
    });
    const [trail] = await db.query<{ n: string; distinct: string }>(
      'select count(*) as n, count(distinct entry_id) as distinct from audit_trail',
    );
    expect(trail).toEqual({ n: String(UNKEYED_ROWS), distinct: String(UNKEYED_ROWS) });
    expect(messages).toContain(
      `step ${steps().find((s) => s.target.name === 'public.events.public_id' && s.batch)!.n}: backfill filled ${KEYED_ROWS} rows in ${batches(KEYED_ROWS)} batches`,
    );
    expect(messages.filter((m) => m.includes(`backfill filled ${UNKEYED_ROWS} rows`))).toHaveLength(1);
    // An UPDATE keeps the table's file; a rewrite would have given it a new one.
    expect(await files()).toEqual(filesBefore);
  });

  it('leaves the defaults for new rows, NOT NULL in force, and nothing more to plan', async () => {
    const [row] = await db.query<{ public_id: string | null; token: string }>(
      "insert into events (id, kind) values (-1, 'new') returning public_id::text, token",
    );
    expect(row?.public_id).toMatch(/^[0-9a-f-]{36}$/);
    expect(row?.token).toMatch(/^[0-9a-f]{32}$/);
    await expect(
      db.query('insert into audit_trail (message, entry_id) values ($1, null)', ['x']),
    ).rejects.toThrow(/null value in column "entry_id"/);
    expect(second.groups).toEqual([]);
  });
});
