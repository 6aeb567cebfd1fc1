import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readPrelude } from '../../src/shadow/prelude.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';

/**
 * The prelude copies into the shadow the unmanaged objects managed tables may use. What it reads decides
 * whether such a schema compiles at all, so each kind is checked here, and so is what it must leave out:
 * extension members, other schemas, and the row types every table has.
 */
describe('readPrelude', () => {
  let db: TestDatabase;
  let client: pg.Client;
  beforeAll(async () => {
    db = await createTestDatabase('prelude');
    await db.query(`
      CREATE EXTENSION citext;
      CREATE SCHEMA other;
      CREATE TYPE money_pair AS (amount numeric(12,2), currency text);
      CREATE TYPE stay AS RANGE (SUBTYPE = date);
      CREATE DOMAIN email_address AS text CHECK (VALUE ~ '@');
      CREATE DOMAIN positive_int AS integer NOT NULL DEFAULT 1 CONSTRAINT positive CHECK (VALUE > 0);
      CREATE FUNCTION is_positive(n integer) RETURNS boolean LANGUAGE sql IMMUTABLE AS $$ SELECT n > 0 $$;
      CREATE DOMAIN other.code AS text;
      CREATE FUNCTION other.f() RETURNS int LANGUAGE sql AS $$ SELECT 1 $$;
      CREATE TABLE accounts (id int PRIMARY KEY, email email_address, total money_pair);
    `);
    client = new pg.Client({ connectionString: db.url });
    await client.connect();
  });
  afterAll(async () => {
    await client?.end();
    await db?.drop();
  });

  it('reads composite types, domains with their constraints, and functions of the managed schemas', async () => {
    const statements = await readPrelude(client, ['public']);
    expect(statements[0]).toBe('CREATE TYPE money_pair AS (amount numeric(12,2), currency text)');
    expect(statements[1]).toBe('CREATE TYPE stay AS RANGE (SUBTYPE = date)');
    expect(statements).toContain('CREATE DOMAIN email_address AS text');
    expect(statements).toContain('CREATE DOMAIN positive_int AS integer DEFAULT 1 NOT NULL');
    expect(statements).toContain('ALTER DOMAIN positive_int ADD CONSTRAINT positive CHECK ((VALUE > 0))');
    expect(statements.some((s) => /^ALTER DOMAIN email_address ADD CONSTRAINT \S+ CHECK/.test(s))).toBe(true);
    expect(
      statements.filter((s) => s.includes('FUNCTION')).map((s) => /FUNCTION (\S+)\(/.exec(s)?.[1]),
    ).toEqual(['public.is_positive']); // not the range's own constructors, stay(date, date) and the like
    // Composite and range types first, then domains, then their constraints, then functions: the order the shadow runs them in.
    const kinds = statements.map(
      (s) => /^(CREATE TYPE|CREATE DOMAIN|ALTER DOMAIN|CREATE OR REPLACE FUNCTION)/.exec(s)?.[1],
    );
    expect(kinds).toEqual([
      'CREATE TYPE',
      'CREATE TYPE',
      'CREATE DOMAIN',
      'CREATE DOMAIN',
      'ALTER DOMAIN',
      'ALTER DOMAIN',
      'CREATE OR REPLACE FUNCTION',
    ]);
  });

  it('leaves out extension members, table row types and other schemas', async () => {
    const statements = await readPrelude(client, ['public']);
    expect(statements.join('\n')).not.toMatch(/citext|accounts|other\./);
    const other = await readPrelude(client, ['other']);
    expect(other).toHaveLength(2);
    expect(other[0]).toBe('CREATE DOMAIN other.code AS text');
  });
});
