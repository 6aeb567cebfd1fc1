import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, pgMajor, type TestDatabase } from '../helpers/db.js';

describe('test harness', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    await db.drop();
  });

  it('gives each file its own empty database on the expected major', async () => {
    const [row] = await db.query<{ v: string; n: string }>(
      "select current_setting('server_version_num') as v, (select count(*) from pg_class c join pg_namespace n on n.oid = c.relnamespace where n.nspname = 'public')::text as n",
    );
    expect(Math.floor(Number(row?.v) / 10000)).toBe(pgMajor());
    expect(row?.n).toBe('0');
  });
});
