import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { introspect } from '../../src/introspect/index.js';
import { loadDesiredState } from '../../src/load/index.js';
import type { IntrospectionResult, Model } from '../../src/model/types.js';
import { modelToYaml } from '../../src/pull/model-to-yaml.js';
import { writePulledFiles } from '../../src/pull/write-files.js';
import { compileDesired } from '../../src/shadow/compile.js';
import { createTestDatabase, pgMajor, type TestDatabase } from '../helpers/db.js';

/**
 * Law 1, the round trip: pull a database built from plain SQL, load what pull wrote, compile it on a shadow
 * database: the model must be the one introspected. Fixtures hold every object kind and option, hostile
 * names, and expressions PostgreSQL stores differently from how they were written.
 */

const FIXTURES = join(import.meta.dirname, '../../fixtures/roundtrip');

/** A fixture's header names its managed schemas and the PostgreSQL major it needs (`-- requires: 15`). */
function fixture(name: string): { sql: string; schemas: string[]; requires: number } {
  const sql = readFileSync(join(FIXTURES, name), 'utf8');
  const list = (key: string) =>
    (new RegExp(`^-- ${key}: (.+)$`, 'm').exec(sql)?.[1] ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s.length > 0);
  const schemas = list('schemas');
  if (schemas.length === 0) throw new Error(`${name} must start with a "-- schemas: a, b" line`);
  return { sql, schemas, requires: Number(list('requires')[0] ?? 0) };
}

/** NOT VALID cannot be written in YAML: the desired side always describes the validated constraint. */
function validated(model: Model): Model {
  return {
    ...model,
    tables: model.tables.map((t) => ({
      ...t,
      checks: t.checks.map((c) => ({ ...c, valid: true })),
      foreignKeys: t.foreignKeys.map((f) => ({ ...f, valid: true })),
    })),
  };
}

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function pullTo(result: IntrospectionResult): string {
  const dir = mkdtempSync(join(tmpdir(), 'tidemark-pull-'));
  dirs.push(dir);
  writePulledFiles(dir, modelToYaml(result), { force: false });
  return dir;
}

const cases = readdirSync(FIXTURES)
  .filter((f) => f.endsWith('.sql'))
  .sort();

const major = pgMajor();
const supported = cases.filter((c) => fixture(c).requires <= major);
const unsupported = cases.filter((c) => fixture(c).requires > major);

describe.each(unsupported)(`%s on PostgreSQL ${major}`, (name) => {
  it(`is rejected by the server: it needs PostgreSQL ${fixture(name).requires}`, async () => {
    const db = await createTestDatabase('rt');
    try {
      await expect(db.query(fixture(name).sql)).rejects.toThrow();
    } finally {
      await db.drop();
    }
  });
});

describe.each(supported)('round trip of %s', (name) => {
  const { sql, schemas } = fixture(name);
  let db: TestDatabase;
  let live: IntrospectionResult;

  beforeAll(async () => {
    db = await createTestDatabase('rt');
    await db.query(sql);
    live = await introspect(db.url, { schemas });
  });
  afterAll(async () => {
    await db?.drop();
  });

  it('loads what pull wrote without a diagnostic and compiles it back to the live model', async () => {
    expect(live.model.tables.length + live.model.enums.length).toBeGreaterThan(0);
    const dir = pullTo(live);
    // Unmanaged objects are named in comments, never written as data.
    const comments = [...modelToYaml(live).values()]
      .join('')
      .split('\n')
      .filter((l) => l.startsWith('#   '));
    for (const u of live.unmanaged) {
      expect(comments.some((l) => l.startsWith(`#   ${u.kind} `) && l.includes(u.name))).toBe(true);
    }
    const loaded = await loadDesiredState(dir, { ignore: [] });
    expect(loaded.diagnostics).toEqual([]);
    const compiled = await compileDesired(loaded.state!, { serverUrl: db.url, schemas });
    expect(compiled.model).toEqual(validated(live.model));

    // And a fixpoint: pulling the compiled model and compiling again changes nothing.
    const second = await compileDesired((await loadDesiredState(pullTo(compiled), { ignore: [] })).state!, {
      serverUrl: db.url,
      schemas,
    });
    expect(second.model).toEqual(compiled.model);
  });

  it('writes the same bytes when pulled twice', async () => {
    const again = await introspect(db.url, { schemas });
    expect(modelToYaml(again)).toEqual(modelToYaml(live));
  });
});

describe('round trip of the example schema/', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase('rt');
  });
  afterAll(async () => {
    await db?.drop();
  });

  it('compiles, pulls, loads and compiles again to the same model', async () => {
    const example = await loadDesiredState(join(import.meta.dirname, '../../schema'), { ignore: [] });
    expect(example.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    const schemas = [...example.state!.schemas];
    const first = await compileDesired(example.state!, { serverUrl: db.url, schemas });
    expect(first.model.tables.length).toBeGreaterThan(5);

    const loaded = await loadDesiredState(pullTo(first), { ignore: [] });
    expect(loaded.diagnostics).toEqual([]);
    const second = await compileDesired(loaded.state!, { serverUrl: db.url, schemas });
    expect(second.model).toEqual(first.model);
  });
});
