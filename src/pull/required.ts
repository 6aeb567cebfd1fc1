import { withClient } from '../db/connect.js';
import type { RequiredObject } from '../model/types.js';
import { COMPOSITE_DEFINITION, RANGE_DEFINITION } from '../shadow/prelude.js';

/**
 * What the managed tables need that tidemark does not manage: the domains, composite and range types of their
 * columns (arrays of them too), the functions their defaults, generated columns, checks and indexes call, and,
 * in turn, what those need (a domain's base type or check function, a composite's attribute types, a
 * function's argument and result types). Only objects of the managed schemas that no extension owns. Pull
 * writes them under `requires:`, so a database that lacks them gets them before the tables, and the shadow
 * database compiles the tables with them.
 *
 * Names and definitions are read with an empty search_path, so both are schema-qualified; the list is in
 * creation order (oid), which puts what an object needs before it.
 */
export async function readRequired(url: string, schemas: readonly string[]): Promise<RequiredObject[]> {
  return withClient(url, async (client) => {
    await client.query(`SELECT set_config('search_path', '', false)`);
    const { rows } = await client.query<RequiredObject>(
      `with recursive
       managed as (select oid from pg_namespace where nspname = any($1::text[])),
       tables as (select c.oid from pg_class c where c.relkind = 'r' and c.relnamespace in (select oid from managed)),
       -- What the tables' own parts depend on: columns (types), defaults, constraints, indexes.
       roots as (
         select d.refclassid, d.refobjid
           from pg_depend d
          where d.deptype = 'n' and d.refclassid in ('pg_type'::regclass, 'pg_proc'::regclass)
            and ((d.classid = 'pg_class'::regclass and d.objid in (select oid from tables))
              or (d.classid = 'pg_attrdef'::regclass
                  and d.objid in (select a.oid from pg_attrdef a where a.adrelid in (select oid from tables)))
              or (d.classid = 'pg_constraint'::regclass
                  and d.objid in (select c.oid from pg_constraint c where c.conrelid in (select oid from tables)))
              or (d.classid = 'pg_class'::regclass
                  and d.objid in (select i.indexrelid from pg_index i where i.indrelid in (select oid from tables))))
       ),
       -- An array type stands for its element.
       named as (
         select r.refclassid, coalesce(nullif(t.typelem, 0), r.refobjid) as oid
           from roots r left join pg_type t on r.refclassid = 'pg_type'::regclass and t.oid = r.refobjid
                                           and t.typcategory = 'A'
       ),
       wanted(classid, oid) as (
         select refclassid, oid from named
         union
         select d.refclassid, coalesce(nullif(t.typelem, 0), d.refobjid)
           from wanted w
           join pg_depend d on d.deptype = 'n' and d.refclassid in ('pg_type'::regclass, 'pg_proc'::regclass)
            and ((d.classid = w.classid and d.objid = w.oid)
              -- A domain's checks and a composite's attributes depend on their own rows, not the type's.
              or (d.classid = 'pg_constraint'::regclass and w.classid = 'pg_type'::regclass
                  and d.objid in (select c.oid from pg_constraint c where c.contypid = w.oid))
              or (d.classid = 'pg_class'::regclass and w.classid = 'pg_type'::regclass
                  and d.objid = (select t.typrelid from pg_type t where t.oid = w.oid and t.typtype = 'c')))
           left join pg_type t on d.refclassid = 'pg_type'::regclass and t.oid = d.refobjid and t.typcategory = 'A'
       ),
       own as (
         select w.classid, w.oid from wanted w
          -- Not an extension's, nor a part of another object (a range type's constructors come with it).
          where not exists (select 1 from pg_depend e where e.classid = w.classid and e.objid = w.oid
                                                        and (e.deptype = 'e' or (e.deptype = 'i' and w.classid = 'pg_proc'::regclass)))
       )
       select 'type' as kind, t.oid::regtype::text as name,
              ${COMPOSITE_DEFINITION} as sql,
              t.oid::bigint as ord
         from own o join pg_type t on o.classid = 'pg_type'::regclass and t.oid = o.oid
         join pg_class c on c.oid = t.typrelid and c.relkind = 'c'
        where t.typtype = 'c' and t.typnamespace in (select oid from managed)
       union all
       select 'type', t.oid::regtype::text,
              ${RANGE_DEFINITION},
              t.oid::bigint
         from own o join pg_type t on o.classid = 'pg_type'::regclass and t.oid = o.oid
         join pg_range r on r.rngtypid = t.oid
        where t.typtype = 'r' and t.typnamespace in (select oid from managed)
       union all
       select 'domain', t.oid::regtype::text,
              format('CREATE DOMAIN %s AS %s%s%s%s%s', t.oid::regtype::text, format_type(t.typbasetype, t.typtypmod),
                case when t.typcollation <> 0 and t.typcollation <> (select b.typcollation from pg_type b where b.oid = t.typbasetype)
                     then ' COLLATE ' || (select format('%I.%I', n.nspname, l.collname) from pg_collation l
                                            join pg_namespace n on n.oid = l.collnamespace where l.oid = t.typcollation)
                     else '' end,
                case when t.typdefault is not null then ' DEFAULT ' || t.typdefault else '' end,
                case when t.typnotnull then ' NOT NULL' else '' end,
                coalesce((select string_agg(format(' CONSTRAINT %I %s', con.conname, pg_get_constraintdef(con.oid)), '' order by con.conname)
                            from pg_constraint con where con.contypid = t.oid and con.contype = 'c'), '')),
              t.oid::bigint
         from own o join pg_type t on o.classid = 'pg_type'::regclass and t.oid = o.oid
        where t.typtype = 'd' and t.typnamespace in (select oid from managed)
       union all
       select 'function', p.oid::regprocedure::text, rtrim(pg_get_functiondef(p.oid), E'\\n'), p.oid::bigint
         from own o join pg_proc p on o.classid = 'pg_proc'::regclass and p.oid = o.oid
        where p.prokind = 'f' and p.pronamespace in (select oid from managed)
       order by ord`,
      [schemas],
    );
    return rows.map((r) => ({ kind: r.kind, name: r.name, sql: r.sql }));
  });
}
