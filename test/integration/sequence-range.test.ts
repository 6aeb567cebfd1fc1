import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { executePlanSql, planAgainst } from '../helpers/converge.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';

const CASE = join(import.meta.dirname, '../../fixtures/cases/types/sequence-range-moved');

/**
 * A sequence whose new range starts past its current value is moved to the new bound before the ALTER
 * (PostgreSQL refuses the ALTER otherwise). The golden case proves the plan runs and converges; this proves
 * where each sequence goes on from: the new bound when it was outside the range, unchanged when inside, and
 * never a value already issued.
 */
describe('sequences moved into a raised range', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase('seqrange');
    await db.query(readFileSync(join(CASE, 'from.sql'), 'utf8'));
    const { plan } = await planAgainst(db.url, join(CASE, 'to'));
    await executePlanSql(db.url, plan);
  });
  afterAll(async () => {
    await db?.drop();
  });

  it('continues each sequence from its new bound, or where it was when already inside the range', async () => {
    const [row] = await db.query<Record<string, string>>(
      `SELECT nextval('fresh_no') AS fresh, nextval('used_no') AS used, nextval('ahead_no') AS ahead,
              nextval('countdown') AS countdown`,
    );
    expect(row).toEqual({ fresh: '10', used: '100', ahead: '500', countdown: '-10' });
  });

  it('continues identity columns, used or not, from their new minimum', async () => {
    const tickets = await db.query<{ id: number }>(`INSERT INTO tickets (note) VALUES ('c') RETURNING id`);
    const drafts = await db.query<{ id: string }>('INSERT INTO drafts DEFAULT VALUES RETURNING id');
    expect(tickets[0]?.id).toBe(1000);
    expect(drafts[0]?.id).toBe('50');
  });
});
