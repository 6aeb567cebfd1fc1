import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { introspect } from '../../src/introspect/index.js';
import { createTestDatabase, pgMajor } from '../helpers/db.js';

/**
 * Golden cases: each directory under test/golden/introspect holds `schema.sql` (plain SQL, run on a fresh
 * database), optional `options.json` (introspect options; default `{ schemas: ["public"] }`) and the expected
 * `{ model, unmanaged }` as `expected.json`, or `expected.pg<major>.json` for a major whose catalog really
 * prints differently. `UPDATE_GOLDEN=1` rewrites: the shared file on PostgreSQL 15, a per-major file elsewhere
 * only when the result differs from the shared one.
 *
 * In schema.sql, a line `-- @separate` starts a statement run on its own (for CONCURRENTLY); `-- @separate fails`
 * one that must fail.
 */

const ROOT = join(import.meta.dirname, '../golden/introspect');
const BASE_MAJOR = 15;

function chunks(sql: string): { sql: string; fails: boolean }[] {
  const parts: { sql: string; fails: boolean }[] = [{ sql: '', fails: false }];
  for (const line of sql.split('\n')) {
    const marker = /^-- @separate( fails)?\s*$/.exec(line);
    if (marker) parts.push({ sql: '', fails: Boolean(marker[1]) });
    else parts[parts.length - 1]!.sql += `${line}\n`;
  }
  return parts.filter((p) => p.sql.trim() !== '');
}

const cases = readdirSync(ROOT, { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .map((d) => d.name)
  .sort();

describe('introspect golden cases', () => {
  it.each(cases)('%s', async (name) => {
    const dir = join(ROOT, name);
    const optionsFile = join(dir, 'options.json');
    const options = existsSync(optionsFile)
      ? JSON.parse(readFileSync(optionsFile, 'utf8'))
      : { schemas: ['public'] };
    const db = await createTestDatabase('intro');
    try {
      for (const chunk of chunks(readFileSync(join(dir, 'schema.sql'), 'utf8'))) {
        if (chunk.fails) await expect(db.query(chunk.sql)).rejects.toThrow();
        else await db.query(chunk.sql);
      }
      const result = await introspect(db.url, options);
      expect(result.serverVersionNum).toBeGreaterThanOrEqual(pgMajor() * 10000);
      const actual = `${JSON.stringify({ model: result.model, unmanaged: result.unmanaged }, null, 2)}\n`;
      const shared = join(dir, 'expected.json');
      const perMajor = join(dir, `expected.pg${pgMajor()}.json`);
      if (process.env.UPDATE_GOLDEN) {
        if (pgMajor() === BASE_MAJOR || !existsSync(shared)) writeFileSync(shared, actual);
        else if (readFileSync(shared, 'utf8') === actual) rmSync(perMajor, { force: true });
        else writeFileSync(perMajor, actual);
      }
      const expected = readFileSync(existsSync(perMajor) ? perMajor : shared, 'utf8');
      expect(actual).toBe(expected);
    } finally {
      await db.drop();
    }
  });
});
