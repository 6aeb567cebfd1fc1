import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Plan, Step } from '../../src/plan/types.js';
import { planAgainst } from '../helpers/converge.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';

/** Prechecks on a million-row table: exact below the threshold, sampled above it, stopped at the timeout. */
const stepOf = (plan: Plan, change: string, name: string): Step | undefined =>
  plan.groups.flatMap((g) => g.steps).find((s) => s.change === change && s.target.name === name);

describe('prechecks on a large table stay within their bounds', () => {
  let db: TestDatabase;
  let dir: string;
  beforeAll(async () => {
    db = await createTestDatabase('prebig');
    await db.query(`
      CREATE TABLE parents (id int PRIMARY KEY);
      INSERT INTO parents SELECT generate_series(1, 1000);
      CREATE TABLE events (id bigint PRIMARY KEY, parent_id int);
      INSERT INTO events SELECT g, CASE WHEN g % 10 = 0 THEN 5000 ELSE g % 1000 + 1 END FROM generate_series(1, 1000000) g;
      ANALYZE events;`);
    dir = mkdtempSync(join(tmpdir(), 'tidemark-prebig-'));
    writeFileSync(
      join(dir, 'schema.yaml'),
      `tables:
  parents:
    columns: { id: { type: integer, notNull: true } }
    primaryKey: [id]
  events:
    columns:
      id: { type: bigint, notNull: true }
      parent_id: { type: integer }
    primaryKey: [id]
    foreignKeys:
      events_parent_id_fkey: { columns: [parent_id], references: { table: parents } }
`,
    );
  }, 180_000);
  afterAll(async () => {
    await db.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  const orphans = async (precheck: { timeoutMs: number; exactBelowRows: number }) => {
    const { plan } = await planAgainst(db.url, dir, { prechecks: true, precheck });
    return stepOf(plan, 'fk.validate', 'public.events.events_parent_id_fkey')!.precheck!;
  };

  it('counts a million rows exactly below the threshold', async () => {
    const p = await orphans({ timeoutMs: 60_000, exactBelowRows: 2_000_000 });
    expect(p).toMatchObject({ count: 100_000, exact: true });
    expect(p.examples).toHaveLength(5);
  });

  it('estimates from a sample above the threshold', async () => {
    const p = await orphans({ timeoutMs: 60_000, exactBelowRows: 100_000 });
    expect(p.exact).toBe(false);
    expect(p.count).toBeGreaterThan(70_000);
    expect(p.count).toBeLessThan(130_000);
    expect(p.message).toMatch(/^about .* \(estimated from a 10\.00% sample\)/);
  });

  it('gives up at the statement timeout and says so instead of hanging', async () => {
    const p = await orphans({ timeoutMs: 1, exactBelowRows: 2_000_000 });
    expect(p.count).toBe(-1);
    expect(p.message).toContain('not checked: the count took longer than 1 ms');
  });
});
