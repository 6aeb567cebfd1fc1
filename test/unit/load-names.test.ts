import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadDesiredState } from '../../src/load/index.js';
import { chooseConstraintName, makeObjectName } from '../../src/load/names.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';

/**
 * The names given to column shorthands must be the ones PostgreSQL generates for the same unnamed
 * constraints, including its 63-byte truncation, or the next plan would rename them back and forth.
 */

let db: TestDatabase;
const scratch = mkdtempSync(join(tmpdir(), 'tidemark-names-'));
beforeAll(async () => {
  db = await createTestDatabase('names');
});
afterAll(async () => {
  await db.drop();
  rmSync(scratch, { recursive: true, force: true });
});

const q = (s: string) => `"${s.replaceAll('"', '""')}"`;

const cases: [string, string][] = [
  ['children', 'parent_id'],
  ['a_table_name_that_is_quite_long_indeed_for_postgres', 'column_name_also_long_x'],
  ['t', 'an_extremely_long_column_name_that_forces_truncation_of_the_col'],
  ['größenverhältnisse_der_gruppenräume_im_kindergarten_ü', 'maximale_kinderanzahl_pro_gruppenraum'],
];

describe('constraint names of column shorthands', () => {
  it.each(cases)('table %s, column %s: same names as PostgreSQL', async (table, column) => {
    const dir = join(scratch, `${cases.findIndex((c) => c[0] === table)}`);
    mkdirSync(dir, { recursive: true });
    writeFileSync(
      join(dir, 'a.yaml'),
      `tables:
  ${JSON.stringify(table)}:
    columns:
      id: { type: integer, primaryKey: true }
      ${JSON.stringify(column)}:
        type: integer
        unique: true
        check: ${JSON.stringify(`${q(column)} > 0`)}
        references: ${JSON.stringify(`${table}.id`)}
`,
    );
    const r = await loadDesiredState(dir);
    expect(r.diagnostics).toEqual([]);
    const t = r.state!.tables[0]!;
    const ours = [t.primaryKey!.name, t.uniques[0]!.name, t.checks[0]!.name, t.foreignKeys[0]!.name].sort();

    await db.query(
      `CREATE TABLE ${q(table)} (id integer PRIMARY KEY, ${q(column)} integer UNIQUE CHECK (${q(column)} > 0) REFERENCES ${q(table)} (id))`,
    );
    const rows = await db.query<{ conname: string }>(
      // contype 'n' (PostgreSQL 18 records NOT NULL as constraints) has no YAML counterpart here.
      "SELECT conname FROM pg_constraint WHERE conrelid = $1::regclass AND contype IN ('p', 'u', 'c', 'f') ORDER BY conname",
      [q(table)],
    );
    expect(ours).toEqual(rows.map((r) => r.conname).sort());
    for (const name of ours) expect(Buffer.byteLength(name)).toBeLessThanOrEqual(63);
  });
});

describe('makeObjectName / chooseConstraintName', () => {
  it('shortens the longer part first and never splits a character', () => {
    expect(makeObjectName('t', 'c', 'key')).toBe('t_c_key');
    expect(makeObjectName('a'.repeat(70), null, 'pkey')).toBe(`${'a'.repeat(58)}_pkey`);
    const name = makeObjectName('ü'.repeat(40), 'x', 'key');
    expect(Buffer.byteLength(name)).toBeLessThanOrEqual(63);
    expect(name).toBe(`${'ü'.repeat(28)}_x_key`);
  });

  it('numbers the label when the name is taken, as PostgreSQL does', () => {
    expect(chooseConstraintName('t', 'a', 'key', new Set(['t_a_key']))).toBe('t_a_key1');
    expect(chooseConstraintName('t', 'a', 'key', new Set(['t_a_key', 't_a_key1']))).toBe('t_a_key2');
  });
});
