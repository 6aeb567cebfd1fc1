import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Plan, Step } from '../../src/plan/types.js';
import { planAgainst } from '../helpers/converge.js';
import { createTestDatabase, pgMajor, type TestDatabase } from '../helpers/db.js';

/** Prechecks find seeded bad rows, count them, show example keys, and mark the failing step. */
const steps = (plan: Plan): Step[] => plan.groups.flatMap((g) => g.steps);
const stepOf = (plan: Plan, change: string, name: string) =>
  steps(plan).find((s) => s.change === change && s.target.name === name);
/** The step that changes the column's type (a column.alter may also change its default or NOT NULL). */
const typeChangeOf = (plan: Plan, name: string) =>
  steps(plan).find((s) => s.change === 'column.alter' && s.target.name === name && s.sql.includes(' TYPE '))!;

const FROM = `
CREATE TABLE parents (id int PRIMARY KEY);
INSERT INTO parents SELECT generate_series(1, 3);
CREATE TABLE children (id int PRIMARY KEY, parent_id int, severity text, code text, email text, age text, tier text, seen bigint);
INSERT INTO children VALUES
  (1, 1, 'low', 'a', 'x@y', '4', 'gold', NULL),
  (2, 99, 'high', 'a', NULL, '5', NULL, 1700000000),
  (3, 98, 'urgent', 'b', NULL, 'five', NULL, NULL),
  (4, NULL, 'urgent', 'b', 'z@y', '6', NULL, NULL),
  (5, 2, 'urgent', 'b', NULL, '7', NULL, NULL),
  (6, 3, 'medium', 'c', 'q@y', '8', NULL, NULL);
CREATE TABLE legacy_backup (id int);
INSERT INTO legacy_backup SELECT generate_series(1, 42);
ANALYZE;`;

const TO = `
enums:
  tier: [gold, silver]
tables:
  parents:
    columns:
      id: { type: integer, notNull: true }
    primaryKey: [id]
  children:
    columns:
      id: { type: integer, notNull: true }
      parent_id: { type: integer }
      severity: { type: text }
      code: { type: text }
      email: { type: text, notNull: true }
      age: { type: integer }
      born: { type: date, notNull: true }
      tier: { type: tier }
      seen: { type: timestamp }
    primaryKey: [id]
    unique:
      children_code_key: [code]
    foreignKeys:
      children_parent_id_fkey: { columns: [parent_id], references: { table: parents } }
    checks:
      children_severity_check: "severity IN ('low', 'medium', 'high')"
`;

describe('prechecks against live rows', () => {
  let db: TestDatabase;
  let dir: string;
  let plan: Plan;
  beforeAll(async () => {
    db = await createTestDatabase('pre');
    await db.query(FROM);
    dir = mkdtempSync(join(tmpdir(), 'tidemark-pre-'));
    writeFileSync(join(dir, 'schema.yaml'), TO);
    plan = (await planAgainst(db.url, dir, { prechecks: true })).plan;
  });
  afterAll(async () => {
    await db.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('finds orphan rows for a new foreign key and blocks its validation', () => {
    const s = stepOf(plan, 'fk.validate', 'public.children.children_parent_id_fkey')!;
    expect(s.precheck).toMatchObject({ kind: 'orphans', count: 2, exact: true, examples: ['id=2', 'id=3'] });
    expect(s.hazards.map((h) => h.code)).toContain('WILL_FAIL_ON_DATA');
  });

  it('finds rows violating a new check', () => {
    const s = stepOf(plan, 'check.validate', 'public.children.children_severity_check')!;
    expect(s.precheck).toMatchObject({ kind: 'violations', count: 3, examples: ['id=3', 'id=4', 'id=5'] });
    expect(s.precheck?.message).toContain('3 rows of public.children violating');
    expect(s.hazards.map((h) => h.code)).toContain('WILL_FAIL_ON_DATA');
  });

  it('finds duplicate groups for a new unique constraint', () => {
    const s = stepOf(plan, 'index.create', 'public.children_code_key')!;
    expect(s.precheck).toMatchObject({ kind: 'duplicates', count: 2 });
    expect(s.precheck?.examples).toEqual(['code=a (2 rows)', 'code=b (3 rows)']);
  });

  it('finds NULLs for SET NOT NULL without backfill', () => {
    const s = stepOf(plan, 'column.not-null-validate', 'public.children.email')!;
    expect(s.precheck).toMatchObject({ kind: 'nulls', count: 3, examples: ['id=2', 'id=3', 'id=5'] });
    expect(s.hazards.map((h) => h.code)).toContain('WILL_FAIL_ON_DATA');
  });

  it('finds values that will not cast for a type change', () => {
    const s = typeChangeOf(plan, 'public.children.age');
    if (pgMajor() >= 16) {
      // pg_input_is_valid counts every value exactly.
      expect(s.precheck).toMatchObject({ kind: 'uncastable', count: 1, exact: true, examples: ['id=3'] });
    } else {
      // PostgreSQL 14/15 have no pg_input_is_valid: a cast of a sample fails, without a count.
      expect(s.precheck).toMatchObject({ kind: 'uncastable', count: 1, exact: false });
      expect(s.precheck?.message).toContain('invalid input syntax for type integer');
    }
    expect(s.hazards.map((h) => h.code)).toContain('WILL_FAIL_ON_DATA');
  });

  it('converts through text where PostgreSQL has no cast, and counts the values that do not read', () => {
    const s = typeChangeOf(plan, 'public.children.seen');
    expect(s.sql).toContain('USING seen::text::timestamp without time zone');
    if (pgMajor() >= 16) {
      expect(s.precheck).toMatchObject({ kind: 'uncastable', count: 1, exact: true, examples: ['id=2'] });
    } else {
      expect(s.precheck).toMatchObject({ kind: 'uncastable', count: 1, exact: false });
      expect(s.precheck?.message).toContain('"1700000000"');
    }
    expect(s.hazards.map((h) => h.code)).toContain('WILL_FAIL_ON_DATA');
  });

  it('does not call a conversion to a type the plan creates a failure: the cast cannot be tried yet', () => {
    const s = typeChangeOf(plan, 'public.children.tier');
    expect(s.precheck).toMatchObject({ kind: 'uncastable', count: -1 });
    expect(s.precheck?.message).toMatch(/^not checked: type "?tier"? does not exist/);
    expect(s.hazards.map((h) => h.code)).not.toContain('WILL_FAIL_ON_DATA');
  });

  it('knows a NOT NULL column without default fails on a table with rows', () => {
    const s = stepOf(plan, 'column.add', 'public.children.born')!;
    expect(s.precheck).toMatchObject({ kind: 'nulls', count: 6 });
    expect(s.hazards.map((h) => h.code)).toContain('WILL_FAIL_ON_DATA');
  });

  it('counts the rows a dropped table loses, without calling it a failure', () => {
    const s = stepOf(plan, 'table.drop', 'public.legacy_backup')!;
    expect(s.precheck).toMatchObject({ kind: 'rows-lost', count: 42, exact: true });
    expect(s.hazards.map((h) => h.code)).not.toContain('WILL_FAIL_ON_DATA');
    expect(s.hazards.find((h) => h.code === 'DELETES_DATA')?.message).toContain('~42 rows');
  });

  it('does not block a SET NOT NULL that a backfill covers', async () => {
    const d2 = mkdtempSync(join(tmpdir(), 'tidemark-pre2-'));
    writeFileSync(
      join(d2, 'schema.yaml'),
      TO.replace(
        'email: { type: text, notNull: true }',
        'email: { type: text, notNull: true, backfill: "\'unknown@example.org\'" }',
      ),
    );
    const p = (await planAgainst(db.url, d2, { prechecks: true })).plan;
    const s = stepOf(p, 'column.backfill', 'public.children.email')!;
    expect(s.precheck).toMatchObject({ kind: 'nulls', count: 3 });
    expect(s.hazards.map((h) => h.code)).not.toContain('WILL_FAIL_ON_DATA');
    rmSync(d2, { recursive: true, force: true });
  });
});
