import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InputError } from '../../src/errors.js';
import { introspect } from '../../src/introspect/index.js';
import { fingerprint } from '../../src/model/fingerprint.js';
import { planAgainst } from '../helpers/converge.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';

/**
 * A table, sequence or enum the desired state creates under a name an unmanaged object holds (a partition the
 * YAML has as a plain table, a view, a domain) is refused at plan time, at the YAML line, instead of failing
 * at apply with "already exists".
 */

let db: TestDatabase;
const dir = mkdtempSync(join(tmpdir(), 'tidemark-name-clashes-'));

beforeAll(async () => {
  db = await createTestDatabase('name_clash');
  await db.query(`
    CREATE TABLE events (created_at timestamp NOT NULL, payload text) PARTITION BY RANGE (created_at);
    CREATE TABLE events_2025 PARTITION OF events FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
    CREATE TABLE base (id int PRIMARY KEY);
    CREATE VIEW base_view AS SELECT id FROM base;
    CREATE DOMAIN mood AS text;
  `);
  writeFileSync(
    join(dir, 'schema.yaml'),
    [
      'tables:',
      '  base:',
      '    columns:',
      '      id: { type: int, primaryKey: true }',
      '  events_2025:',
      '    columns:',
      '      created_at: { type: timestamp, notNull: true }',
      '      payload: { type: text }',
      '  base_view:',
      '    columns:',
      '      id: { type: int }',
      '  kept:',
      '    columns:',
      '      id: { type: int }',
      'enums:',
      '  mood: [happy, sad]',
      '',
    ].join('\n'),
  );
}, 120_000);

afterAll(async () => {
  await db?.drop();
  rmSync(dir, { recursive: true, force: true });
});

describe('names held by unmanaged objects', () => {
  it('refuse the plan with one error per clash at its YAML line, and change nothing', async () => {
    const before = fingerprint((await introspect(db.url, { schemas: ['public'] })).model);
    const error = await planAgainst(db.url, dir).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(InputError);
    const diagnostics = (error as InputError).diagnostics ?? [];
    expect(diagnostics.map((d) => [d.code, d.line, d.message])).toEqual([
      ['name-taken', 5, expect.stringMatching(/^table public\.events_2025 .* partition of that name/)],
      ['name-taken', 9, expect.stringMatching(/^table public\.base_view .* view of that name/)],
      ['name-taken', 16, expect.stringMatching(/^enum public\.mood .* domain of that name/)],
    ]);
    expect(fingerprint((await introspect(db.url, { schemas: ['public'] })).model)).toBe(before);
  });
});
