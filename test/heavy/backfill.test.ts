import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
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
 * A backfill of 1,000,000 rows runs in batches, each its own short transaction: progress is reported, and no
 * transaction of the apply stays open on the table for longer than one batch takes.
 */
const ROWS = 1_000_000;

describe('backfill in batches', () => {
  let db: TestDatabase;
  let dir: string;
  let plan: Plan;
  const messages: string[] = [];
  let longestTransactionMs = 0;
  let applyMs = 0;

  beforeAll(async () => {
    db = await createTestDatabase('backfill');
    await db.query(`CREATE TABLE readings (id bigint PRIMARY KEY, sensor int);
      INSERT INTO readings SELECT g, NULL FROM generate_series(1, ${ROWS}) g;`);
    await db.query('VACUUM ANALYZE readings');
    dir = mkdtempSync(join(tmpdir(), 'tidemark-backfill-'));
    writeFileSync(
      join(dir, 'schema.yaml'),
      `tables:
  readings:
    columns:
      id: { type: bigint, notNull: true }
      sensor: { type: integer, notNull: true, backfill: "(id % 7)::integer" }
    primaryKey: [id]
`,
    );
    plan = (await planAgainst(db.url, dir)).plan;
    const reporter: ApplyReporter = { ...silentReporter, info: (m: string) => messages.push(m) };
    // Watch the apply's transactions from outside: how long does any of them stay open?
    const monitor = new pg.Client({ connectionString: db.url });
    await monitor.connect();
    let watching = true;
    const watch = (async () => {
      while (watching) {
        const { rows } = await monitor.query<{ ms: number | null }>(
          `select max(extract(epoch from clock_timestamp() - xact_start) * 1000)::float8 as ms
             from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()
              and application_name = 'tidemark' and state <> 'idle'`,
        );
        longestTransactionMs = Math.max(longestTransactionMs, rows[0]?.ms ?? 0);
        await new Promise((r) => setTimeout(r, 20));
      }
    })();
    const started = Date.now();
    try {
      await applyPlan(plan, {
        targetUrl: db.url,
        config: { lockTimeoutMs: 2000, retries: 3, snapshotDir: dir },
        allowHazards: hazardsOf(plan),
        snapshot: { kind: 'none', reason: 'backfill test' },
        currentFingerprint: async () =>
          fingerprint((await introspect(db.url, { schemas: plan.schemas })).model),
        reporter,
      });
    } finally {
      applyMs = Date.now() - started;
      watching = false;
      await watch;
      await monitor.end();
    }
  }, 600_000);

  afterAll(async () => {
    await db?.drop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('plans the backfill as batches outside one long transaction', () => {
    const step = plan.groups.flatMap((g) => g.steps).find((s) => s.change === 'column.backfill')!;
    expect(step.transactional).toBe(false);
    expect(step.batch).toMatchObject({ key: { column: 'id', type: 'bigint' }, batchSize: 5000 });
  });

  it('fills every row and reports its progress and batch count', async () => {
    const [row] = await db.query<{ nulls: string; wrong: string }>(
      'select count(*) filter (where sensor is null) as nulls, count(*) filter (where sensor <> id % 7) as wrong from readings',
    );
    expect(row).toEqual({ nulls: '0', wrong: '0' });
    const done = messages.find((m) => m.includes('backfill filled'));
    expect(done).toMatch(new RegExp(`backfill filled ${ROWS} rows in 201 batches`));
  });

  it('never keeps a transaction open much longer than one batch', () => {
    // The whole apply takes many seconds; one batch of 5,000 rows a small fraction of it.
    expect(applyMs).toBeGreaterThan(2000);
    expect(longestTransactionMs).toBeLessThan(Math.max(1500, applyMs / 10));
  });
});
