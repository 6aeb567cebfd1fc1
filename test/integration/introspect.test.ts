import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { introspect, SNAPSHOT_BEGIN } from '../../src/introspect/index.js';
import { ignoreMatcher, managedSchemas } from '../../src/introspect/scope.js';
import { createTestDatabase, pgMajor, type TestDatabase } from '../helpers/db.js';

/** A schema of n tables, each with an FK to the previous one, a check, an index and a comment. */
function tablesSql(schema: string, n: number): string {
  const lines = [`CREATE SCHEMA ${schema};`];
  for (let i = 0; i < n; i++) {
    const fk = i > 0 ? `, parent_id integer REFERENCES ${schema}.t${i - 1}` : '';
    lines.push(
      `CREATE TABLE ${schema}.t${i} (id integer PRIMARY KEY, n integer CHECK (n > 0), s serial${fk});`,
      `CREATE INDEX ON ${schema}.t${i} (n) WHERE n > 1;`,
      `COMMENT ON TABLE ${schema}.t${i} IS 'table ${i}';`,
    );
  }
  return lines.join('\n');
}

/** A client whose every query text is recorded. */
async function countingClient(url: string): Promise<{ client: pg.Client; statements: string[] }> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const statements: string[] = [];
  const query = client.query.bind(client) as (...args: unknown[]) => unknown;
  (client as unknown as { query: (...args: unknown[]) => unknown }).query = (...args: unknown[]) => {
    const first = args[0];
    statements.push(typeof first === 'string' ? first : String((first as { text?: string }).text));
    return query(...args);
  };
  return { client, statements };
}

describe('introspect', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase('introspect');
    await db.query(`${tablesSql('one', 1)}\n${tablesSql('fifty', 50)}`);
  });
  afterAll(async () => {
    await db.drop();
  });

  it('issues the same fixed number of queries for 1 table and for 50, all in one read-only snapshot', async () => {
    const { client, statements } = await countingClient(db.url);
    try {
      const small = await introspect(client, { schemas: ['one'] });
      const smallCount = statements.length;
      statements.length = 0;
      const large = await introspect(client, { schemas: ['fifty'] });
      expect(small.model.tables).toHaveLength(1);
      expect(large.model.tables).toHaveLength(50);
      expect(large.model.tables.flatMap((t) => t.foreignKeys)).toHaveLength(49);
      expect(large.model.sequences).toHaveLength(50);
      expect(statements.length).toBe(smallCount);
      // BEGIN, SET LOCAL, version, nine catalog queries (one per object kind), COMMIT.
      expect(statements.length).toBe(13);
      expect(statements.slice(0, 2)).toEqual(SNAPSHOT_BEGIN);
      expect(statements[0]).toBe('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      expect(statements.at(-1)).toBe('COMMIT');
      // The borrowed client is handed back outside any transaction.
      const { rows } = await client.query<{ now: boolean }>('select now() = statement_timestamp() as now');
      expect(rows[0]?.now).toBe(true);
    } finally {
      await client.end();
    }
  });

  it('prints names the same whatever search_path the role or database sets', async () => {
    const local = await createTestDatabase('searchpath');
    try {
      await local.query(
        `CREATE SCHEMA app; CREATE TYPE app.kind AS ENUM ('a'); CREATE TABLE app.t (k app.kind DEFAULT 'a');
         ALTER DATABASE "${local.name}" SET search_path = app, public;`,
      );
      const result = await introspect(local.url, { schemas: ['app'] });
      const column = result.model.tables[0]?.columns[0];
      expect(column?.type).toBe('app.kind');
      expect(column?.default).toBe("'a'::app.kind");
    } finally {
      await local.drop();
    }
  });

  it('rolls back and leaves the client usable when a catalog query fails', async () => {
    const { client } = await countingClient(db.url);
    try {
      const original = client.query.bind(client) as (...args: unknown[]) => Promise<unknown>;
      let calls = 0;
      (client as unknown as { query: (...args: unknown[]) => unknown }).query = (...args: unknown[]) => {
        calls += 1;
        return calls === 6 ? original('select 1/0') : original(...args);
      };
      await expect(introspect(client, { schemas: ['one'] })).rejects.toThrow(/division by zero/);
      (client as unknown as { query: unknown }).query = original;
      const { rows } = await client.query<{ now: boolean }>('select now() = statement_timestamp() as now');
      expect(rows[0]?.now).toBe(true);
    } finally {
      await client.end();
    }
  });

  it('reads unique NULLS NOT DISTINCT where the server has it', async () => {
    const local = await createTestDatabase('nnd');
    try {
      await local.query('CREATE TABLE t (a integer, b integer, CONSTRAINT t_a_key UNIQUE (a))');
      if (pgMajor() >= 15) {
        await local.query(
          'ALTER TABLE t ADD CONSTRAINT t_b_key UNIQUE NULLS NOT DISTINCT (b); CREATE UNIQUE INDEX t_ab_idx ON t (a, b) NULLS NOT DISTINCT',
        );
        const table = (await introspect(local.url, { schemas: ['public'] })).model.tables[0]!;
        expect(table.uniques.map((u) => [u.name, u.nullsNotDistinct])).toEqual([
          ['t_a_key', false],
          ['t_b_key', true],
        ]);
        expect(table.indexes.map((i) => [i.name, i.nullsNotDistinct])).toEqual([['t_ab_idx', true]]);
      } else {
        // PG14 lacks NULLS NOT DISTINCT: the syntax is rejected, and every unique treats NULLs as distinct.
        await expect(
          local.query('ALTER TABLE t ADD CONSTRAINT t_b_key UNIQUE NULLS NOT DISTINCT (b)'),
        ).rejects.toThrow(/syntax error/);
        await local.query('CREATE UNIQUE INDEX t_ab_idx ON t (a, b)');
        const table = (await introspect(local.url, { schemas: ['public'] })).model.tables[0]!;
        expect(table.uniques.map((u) => [u.name, u.nullsNotDistinct])).toEqual([['t_a_key', false]]);
        expect(table.indexes.map((i) => [i.name, i.nullsNotDistinct])).toEqual([['t_ab_idx', false]]);
      }
    } finally {
      await local.drop();
    }
  });

  it('keeps NOT NULL a column fact, also where PostgreSQL 18 lists it in pg_constraint', async () => {
    const local = await createTestDatabase('notnull');
    try {
      await local.query('CREATE TABLE t (a integer NOT NULL, b integer)');
      const rows = await local.query<{ n: string }>(
        "select count(*)::text as n from pg_constraint where conrelid = 't'::regclass and contype = 'n'",
      );
      expect(rows[0]?.n).toBe(pgMajor() >= 18 ? '1' : '0');
      const table = (await introspect(local.url, { schemas: ['public'] })).model.tables[0]!;
      expect(table.columns.map((c) => [c.name, c.notNull])).toEqual([
        ['a', true],
        ['b', false],
      ]);
      expect([table.primaryKey, table.uniques, table.checks, table.foreignKeys]).toEqual([null, [], [], []]);
    } finally {
      await local.drop();
    }
  });

  it('reports row estimates and sizes for managed tables only', async () => {
    await db.query('INSERT INTO one.t0 (id, n) SELECT g, g FROM generate_series(1, 500) g; ANALYZE one.t0');
    const result = await introspect(db.url, { schemas: ['one'] });
    expect(result.tableStats).toHaveLength(1);
    expect(result.tableStats[0]).toMatchObject({ schema: 'one', name: 't0', estimatedRows: 500 });
    expect(result.tableStats[0]!.totalBytes).toBeGreaterThan(8192);
  });
});

describe('introspect scope', () => {
  it('never reads the ledger or system schemas', () => {
    expect(
      managedSchemas(['public', 'tidemark', 'pg_catalog', 'pg_toast', 'information_schema', 'app', 'app']),
    ).toEqual(['app', 'public']);
  });

  it('matches ignore globs against schema.name, with only * special', () => {
    const ignored = ignoreMatcher(['public.tmp_*', 'audit.*', 'public.a+b', 'x.*.y']);
    expect(ignored({ schema: 'public', name: 'tmp_' })).toBe(true);
    expect(ignored({ schema: 'public', name: 'tmp_x.y' })).toBe(true);
    expect(ignored({ schema: 'public', name: 'atmp_x' })).toBe(false);
    expect(ignored({ schema: 'audit', name: 'anything' })).toBe(true);
    expect(ignored({ schema: 'public', name: 'a+b' })).toBe(true);
    expect(ignored({ schema: 'public', name: 'aab' })).toBe(false);
    expect(ignored({ schema: 'x', name: 'a.y' })).toBe(true);
    expect(ignored({ schema: 'xx', name: 'a.y' })).toBe(false);
  });
});
