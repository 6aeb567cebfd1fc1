import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveConfig } from '../../src/config/config.js';
import { InputError } from '../../src/errors.js';
import { type PlanForTargetResult, planForTarget } from '../../src/plan/create.js';
import { executePlanSql } from '../helpers/converge.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';

/**
 * With a load cache, the tables of the files changed since the last run are compiled while the catalog is
 * read. The plan must be exactly the plan of a run without that head start: when the guess covers every
 * table that differs, when it does not (the database changed too: the rest is compiled beside it and the two
 * compiles combined), and when the changed file changes nothing.
 */

let db: TestDatabase;
const project = mkdtempSync(join(tmpdir(), 'tidemark-compile-ahead-'));
const schemaDir = join(project, 'schema');

const FILES: Record<string, string> = {
  'parents.yaml': `tables:
  parents:
    columns:
      id: { type: bigint, primaryKey: true }
      name: { type: text, notNull: true }
`,
  'children.yaml': `tables:
  children:
    columns:
      id: { type: bigint, primaryKey: true }
      parent_id: { type: bigint, references: parents.id }
      age: { type: integer, check: "age >= 0" }
`,
  'rooms.yaml': `tables:
  rooms:
    columns:
      id: { type: bigint, primaryKey: true }
      label: { type: text }
`,
};

/** children.yaml with its foreign key written out: the type of its column and its ON DELETE action. */
function childrenWith(type: string, onDelete: string): string {
  return `${FILES['children.yaml']!.replace('type: bigint, references: parents.id', `type: ${type}`)}    foreignKeys:
      children_parent_id_fkey:
        columns: [parent_id]
        references: { table: parents }
        onDelete: ${onDelete}
`;
}

function write(name: string, text: string): void {
  writeFileSync(join(schemaDir, name), text);
}

async function plan(cache: boolean): Promise<PlanForTargetResult> {
  const config = resolveConfig({ db: db.url, schemaDir, schemas: 'public', cache }, {}, project);
  return planForTarget({ config, targetUrl: db.url, prechecks: false, allowHazards: [] });
}

/** The plan with the head start, checked against the plan without any cache, then applied. */
async function planAndApply(): Promise<PlanForTargetResult> {
  const withCache = await plan(true);
  const without = await plan(false);
  expect(without.timings.compiledAhead).toBe(false);
  expect(JSON.stringify(withCache.plan)).toBe(JSON.stringify(without.plan));
  await executePlanSql(db.url, withCache.plan);
  const again = await plan(true);
  expect(again.plan.groups).toEqual([]);
  return withCache;
}

beforeAll(async () => {
  db = await createTestDatabase('compile_ahead');
  mkdirSync(schemaDir);
  for (const [name, text] of Object.entries(FILES)) write(name, text);
  const first = await plan(true);
  await executePlanSql(db.url, first.plan);
  expect((await plan(true)).plan.groups).toEqual([]);
});

afterAll(async () => {
  await db.drop();
  rmSync(project, { recursive: true, force: true });
});

describe('compiling the changed files ahead', () => {
  it('uses the head start when the changed file holds every table that differs', async () => {
    write('children.yaml', `${FILES['children.yaml']}      nickname: { type: text }\n`);
    const result = await planAndApply();
    expect(result.timings.compiledAhead).toBe(true);
    // Started as soon as children.yaml was loaded, before the other files were.
    expect(result.timings.compiledEarly).toBe(true);
    expect(result.plan.groups.flatMap((g) => g.steps.map((s) => s.sql)).join('\n')).toMatch(
      /ADD COLUMN nickname/,
    );
  });

  it('starts again from the final state when the early one does not hold', async () => {
    // The key's referenced columns are left to the primary key of parents, in a file the early state does
    // not have yet: the compile started from it is not used.
    write(
      'children.yaml',
      childrenWith('bigint', 'set null').replace(
        '      age:',
        '      nickname: { type: text }\n      shoe_size: { type: integer }\n      age:',
      ),
    );
    const result = await planAndApply();
    expect(result.timings.compiledAhead).toBe(true);
    expect(result.timings.compiledEarly).toBe(false);
    expect(result.plan.groups.flatMap((g) => g.steps.map((s) => s.sql)).join('\n')).toMatch(
      /ADD COLUMN shoe_size/,
    );
  });

  it('compiles the rest beside it when the database changed a table no file did', async () => {
    await db.query('ALTER TABLE rooms ADD COLUMN floor integer');
    write('parents.yaml', `${FILES['parents.yaml']}      born: { type: date }\n`);
    const result = await planAndApply();
    expect(result.timings.compiledAhead).toBe(true);
    const sql = result.plan.groups.flatMap((g) => g.steps.map((s) => s.sql)).join('\n');
    expect(sql).toMatch(/ADD COLUMN born/);
    expect(sql).toMatch(/DROP COLUMN floor/);
  });

  it('compiles a changed foreign key, and one whose columns changed type, with the tables they point at', async () => {
    write('children.yaml', childrenWith('integer', 'cascade'));
    const result = await planAndApply();
    expect(result.timings.compiledAhead).toBe(true);
    expect(result.plan.groups.flatMap((g) => g.steps.map((s) => s.sql)).join('\n')).toMatch(
      /ON DELETE CASCADE/,
    );
  });

  it('reports a foreign key the change made impossible, as the plan without the head start does', async () => {
    // The key is unchanged in the YAML, but its column is now of a type PostgreSQL cannot compare with the
    // column it points at, which only PostgreSQL knows.
    write(
      'children.yaml',
      `enums:\n  kinship:\n    values: [mother, father]\n${childrenWith('kinship', 'cascade')}`,
    );
    const failure = (cache: boolean) =>
      plan(cache).then(
        () => null,
        (error: unknown) => error as InputError,
      );
    const [withCache, without] = [await failure(true), await failure(false)];
    expect(withCache).toBeInstanceOf(InputError);
    expect(withCache!.message).toBe(without!.message);
    expect(withCache!.diagnostics).toEqual(without!.diagnostics);
    expect(JSON.stringify(withCache!.diagnostics)).toMatch(/children\.yaml/);
    write('children.yaml', childrenWith('integer', 'cascade'));
  });

  it('compiles the members an edit added and takes those it kept from live', async () => {
    write(
      'rooms.yaml',
      `${FILES['rooms.yaml']}      code: { type: text, unique: true }\n    indexes:\n      rooms_label_idx: { columns: [label] }\n`,
    );
    await planAndApply();
    write(
      'rooms.yaml',
      `${FILES['rooms.yaml']}      code: { type: text, unique: true }\n    indexes:\n      rooms_label_idx: { columns: [label] }\n` +
        `      rooms_lower_label_idx: { columns: ['lower(label)'], where: 'label IS NOT NULL' }\n`,
    );
    const result = await planAndApply();
    expect(result.timings.compiledAhead).toBe(true);
    expect(result.plan.groups.flatMap((g) => g.steps.map((s) => s.sql)).join('\n')).toMatch(
      /CREATE INDEX CONCURRENTLY "?rooms_lower_label_idx/,
    );
  });

  it('compiles the members the YAML kept but the database lost or changed', async () => {
    await db.query('DROP INDEX rooms_label_idx');
    await db.query('DROP INDEX rooms_lower_label_idx');
    await db.query('CREATE INDEX rooms_lower_label_idx ON rooms (lower(label)) WHERE label IS NULL');
    write(
      'rooms.yaml',
      `${FILES['rooms.yaml']}      code: { type: text, unique: true }\n      nickname: { type: text }\n` +
        `    indexes:\n      rooms_label_idx: { columns: [label] }\n` +
        `      rooms_lower_label_idx: { columns: ['lower(label)'], where: 'label IS NOT NULL' }\n`,
    );
    const result = await planAndApply();
    expect(result.timings.compiledAhead).toBe(true);
    const sql = result.plan.groups.flatMap((g) => g.steps.map((s) => s.sql)).join('\n');
    expect(sql).toMatch(/CREATE INDEX CONCURRENTLY "?rooms_label_idx/);
    expect(sql).toMatch(/rooms_lower_label_idx/);
  });

  it('compiles together two keys over the same columns, as CREATE TABLE keeps only one of them', async () => {
    const rooms = readFileSync(join(schemaDir, 'rooms.yaml'), 'utf8');
    write(
      'rooms.yaml',
      rooms.replace(
        '    indexes:\n',
        '    unique:\n      rooms_code_again: { columns: [code] }\n    indexes:\n',
      ),
    );
    await planAndApply();
    write('rooms.yaml', rooms);
    await planAndApply();
  });

  it('plans nothing when the changed file changes nothing in the database', async () => {
    write('rooms.yaml', `# the rooms of the centre\n${readFileSync(join(schemaDir, 'rooms.yaml'), 'utf8')}`);
    const result = await plan(true);
    expect(result.plan.groups).toEqual([]);
    expect(result.timings.compiledAhead).toBe(false);
  });
});
