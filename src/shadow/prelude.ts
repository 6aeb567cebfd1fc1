import type pg from 'pg';

/** The CREATE statement of the composite type `t` (a pg_type row), as SQL over the catalog. */
export const COMPOSITE_DEFINITION = `format('CREATE TYPE %s AS (%s)', t.oid::regtype::text,
  (select string_agg(format('%I %s', a.attname, format_type(a.atttypid, a.atttypmod)), ', ' order by a.attnum)
     from pg_attribute a where a.attrelid = t.typrelid and a.attnum > 0 and not a.attisdropped))`;

/** The CREATE statement of the range type `t` (a pg_type row) with its pg_range row `r`. */
export const RANGE_DEFINITION = `format('CREATE TYPE %s AS RANGE (SUBTYPE = %s%s%s)', t.oid::regtype::text,
  format_type(r.rngsubtype, null),
  case when r.rngsubdiff <> 0 then ', SUBTYPE_DIFF = ' || r.rngsubdiff::regproc::text else '' end,
  case when r.rngcollation <> 0 and r.rngcollation <> (select b.typcollation from pg_type b where b.oid = r.rngsubtype)
       then ', COLLATION = ' || (select format('%I.%I', n.nspname, l.collname) from pg_collation l
                                   join pg_namespace n on n.oid = l.collnamespace where l.oid = r.rngcollation)
       else '' end)`;

/**
 * Objects tidemark does not manage but managed tables may need: a column typed by a domain, a composite or a
 * range type, a default or check calling a user function. The shadow database gets copies of those definitions
 * from the live database before the desired tables are compiled, so such a schema compiles. Best effort and
 * never applied to the target: a definition that fails in the shadow is skipped, and a table that really
 * needed it reports its own error at its YAML line.
 */
export async function readPrelude(client: pg.Client, schemas: readonly string[]): Promise<string[]> {
  const { rows } = await client.query<{ ord: number; sql: string }>(
    `with managed as (select oid from pg_namespace where nspname = any($1::text[]))
     select 1 as ord, ${COMPOSITE_DEFINITION} as sql
       from pg_class c join pg_type t on t.oid = c.reltype
      where c.relkind = 'c' and c.relnamespace in (select oid from managed)
        and ${notMember('pg_type', 't.oid')}
     union all
     select 2, ${RANGE_DEFINITION}
       from pg_type t join pg_range r on r.rngtypid = t.oid
      where t.typtype = 'r' and t.typnamespace in (select oid from managed)
        and ${notMember('pg_type', 't.oid')}
     union all
     select 3, format('CREATE DOMAIN %s AS %s%s%s%s', t.oid::regtype::text, format_type(t.typbasetype, t.typtypmod),
              case when t.typcollation <> 0 and t.typcollation <> (select typcollation from pg_type b where b.oid = t.typbasetype)
                   then ' COLLATE ' || (select quote_ident(collname) from pg_collation where oid = t.typcollation) else '' end,
              case when t.typdefault is not null then ' DEFAULT ' || t.typdefault else '' end,
              case when t.typnotnull then ' NOT NULL' else '' end)
       from pg_type t
      where t.typtype = 'd' and t.typnamespace in (select oid from managed)
        and ${notMember('pg_type', 't.oid')}
     union all
     select 4, format('ALTER DOMAIN %s ADD CONSTRAINT %I %s', con.contypid::regtype::text, con.conname, pg_get_constraintdef(con.oid))
       from pg_constraint con
      where con.contype = 'c'
        and con.contypid = any (array(select t.oid from pg_type t
                                       where t.typtype = 'd' and t.typnamespace in (select oid from managed)
                                         and ${notMember('pg_type', 't.oid')}))
     union all
     select 5, pg_get_functiondef(p.oid)
       from pg_proc p
      where p.pronamespace in (select oid from managed) and p.prokind in ('f', 'p')
        and ${notMember('pg_proc', 'p.oid')}
        -- A range type's own constructors come with it (copied alone, they would leave a shell type).
        and not exists (select 1 from pg_depend i where i.classid = 'pg_proc'::regclass and i.objid = p.oid and i.deptype = 'i')
     order by 1, 2`,
    [schemas],
  );
  return rows.map((r) => r.sql);
}

/**
 * Not a member of an extension. Probed per candidate through pg_depend's index on the dependent object: the
 * candidates are few, while pg_depend has a row for every column default, constraint and index of every table
 * (hundreds of thousands at 5,000 tables), which a list of all extension members would scan.
 */
function notMember(catalog: 'pg_type' | 'pg_proc', oid: string): string {
  return `not exists (select 1 from pg_depend e where e.classid = '${catalog}'::regclass and e.objid = ${oid} and e.deptype = 'e')`;
}

/** Run the prelude statement by statement, each in its own savepoint, skipping what fails. */
export async function runPrelude(client: pg.Client, statements: readonly string[]): Promise<void> {
  if (statements.length === 0) return;
  // Function bodies may name tables that do not exist yet; only their signatures matter here.
  await client.query('SET check_function_bodies = off');
  await client.query('BEGIN');
  for (const sql of statements) {
    await client.query('SAVEPOINT prelude');
    try {
      await client.query(sql);
      await client.query('RELEASE SAVEPOINT prelude');
    } catch {
      await client.query('ROLLBACK TO SAVEPOINT prelude');
    }
  }
  await client.query('COMMIT');
}
