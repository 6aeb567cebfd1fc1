import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InputError } from '../../src/errors.js';
import { loadDesiredState } from '../../src/load/index.js';
import type { Diagnostic } from '../../src/load/types.js';
import { compileDesired } from '../../src/shadow/compile.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';

/**
 * What only PostgreSQL can reject (an unknown function, a default of the wrong type) is reported at the YAML
 * line of the object, every error of the run and not just the first, in the order of the files, even though
 * the statements go in batches and a failed batch is run again statement by statement.
 */

let db: TestDatabase;
const dir = mkdtempSync(join(tmpdir(), 'tidemark-compile-errors-'));

const TABLES = 80;
const BROKEN: Record<number, string> = {
  3: '      amount: { type: integer, default: "\'not a number\'" }',
  40: '      amount: { type: integer, check: "no_such_function(amount) > 0" }',
  77: '      amount: { type: integer, generated: "amount_nonexistent + 1" }',
};

beforeAll(async () => {
  db = await createTestDatabase('compile_err');
  for (let i = 0; i < TABLES; i++) {
    const name = `t${String(i).padStart(3, '0')}`;
    const parent =
      i > 0 ? `      parent_id: { type: bigint, references: t${String(i - 1).padStart(3, '0')}.id }\n` : '';
    writeFileSync(
      join(dir, `${name}.yaml`),
      `tables:\n  ${name}:\n    columns:\n      id: { type: bigint, primaryKey: true }\n${parent}${BROKEN[i] ?? '      amount: { type: integer }'}\n    indexes:\n      ${name}_amount_idx: { columns: [amount] }\n`,
    );
  }
});

afterAll(async () => {
  await db.drop();
  rmSync(dir, { recursive: true, force: true });
});

describe('shadow compilation errors', () => {
  it('point at the YAML line of each broken table, all of them, in file order', async () => {
    const { state } = await loadDesiredState(dir, { cwd: dir });
    expect(state).not.toBeNull();
    let diagnostics: readonly Diagnostic[] = [];
    try {
      await compileDesired(state!, { serverUrl: db.url, schemas: ['public'] });
      expect.unreachable('the desired state should not compile');
    } catch (error) {
      expect(error).toBeInstanceOf(InputError);
      diagnostics = (error as InputError).diagnostics ?? [];
    }
    const broken = Object.keys(BROKEN).map((i) => `t${i.padStart(3, '0')}.yaml`);
    // Each broken table's CREATE fails once; its index (and the next table's foreign key) then have no
    // table to stand on: reported too, after it, never before.
    expect(diagnostics.map((d) => d.file).filter((f) => broken.includes(f))).toEqual(
      expect.arrayContaining(broken),
    );
    const firstOf = (file: string) => diagnostics.findIndex((d) => d.file === file);
    expect(firstOf(broken[0]!)).toBeLessThan(firstOf(broken[1]!));
    expect(firstOf(broken[1]!)).toBeLessThan(firstOf(broken[2]!));
    for (const file of broken) {
      const d = diagnostics.find((x) => x.file === file)!;
      expect(d.code).toBe('postgres-error');
      expect(d.line).toBe(2);
      expect(d.message).toMatch(/^PostgreSQL rejected table public\.t\d{3}: /);
    }
    expect(diagnostics.find((d) => d.file === broken[0])!.message).toMatch(/integer/);
    expect(diagnostics.find((d) => d.file === broken[1])!.message).toMatch(/no_such_function/);
    expect(diagnostics.find((d) => d.file === broken[2])!.message).toMatch(/amount_nonexistent/);
  });

  it('compiles the same tables once the mistakes are fixed', async () => {
    for (const i of Object.keys(BROKEN)) {
      const name = `t${i.padStart(3, '0')}`;
      const parent =
        Number(i) > 0
          ? `      parent_id: { type: bigint, references: t${String(Number(i) - 1).padStart(3, '0')}.id }\n`
          : '';
      writeFileSync(
        join(dir, `${name}.yaml`),
        `tables:\n  ${name}:\n    columns:\n      id: { type: bigint, primaryKey: true }\n${parent}      amount: { type: integer }\n    indexes:\n      ${name}_amount_idx: { columns: [amount] }\n`,
      );
    }
    const { state } = await loadDesiredState(dir, { cwd: dir });
    const compiled = await compileDesired(state!, { serverUrl: db.url, schemas: ['public'] });
    expect(compiled.model.tables).toHaveLength(TABLES);
    expect(compiled.model.tables.reduce((n, t) => n + t.foreignKeys.length + t.indexes.length, 0)).toBe(
      2 * TABLES - 1,
    );
  });
});
