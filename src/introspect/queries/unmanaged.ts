import { type Kysely, sql } from 'kysely';
import type { Catalog } from '../../db/kysely.js';
import { inManaged, notExtensionOwned, type QueryContext } from './shared.js';

/**
 * Routines, triggers, policies, rules and exclusion constraints in the managed schemas, in one UNION: objects tidemark reports but
 * does not manage. `kind` is the catalog's own code, mapped to an UnmanagedKind while reading.
 */
export function unmanagedQuery(db: Kysely<Catalog>, ctx: QueryContext) {
  const routines = db
    .selectFrom('pg_proc as p')
    .innerJoin('pg_namespace as n', 'n.oid', 'p.pronamespace')
    .select([
      sql<string>`'proc:' || p.prokind::text`.as('kind'),
      'n.nspname as schema',
      // Overloads share a name; the identity arguments tell them apart.
      sql<string>`p.proname || '(' || pg_get_function_identity_arguments(p.oid) || ')'`.as('name'),
      sql<string | null>`null::text`.as('table'),
    ])
    .where(inManaged('n.nspname', ctx))
    .where(notExtensionOwned('pg_proc', 'p.oid'));
  const triggers = db
    .selectFrom('pg_trigger as t')
    .innerJoin('pg_class as c', 'c.oid', 't.tgrelid')
    .innerJoin('pg_namespace as n', 'n.oid', 'c.relnamespace')
    .select([
      sql<string>`'trigger'`.as('kind'),
      'n.nspname as schema',
      sql<string>`t.tgname::text`.as('name'),
      sql<string | null>`c.relname::text`.as('table'),
    ])
    .where(inManaged('n.nspname', ctx))
    .where('t.tgisinternal', '=', false)
    .where(notExtensionOwned('pg_class', 'c.oid'));
  const policies = db
    .selectFrom('pg_policy as p')
    .innerJoin('pg_class as c', 'c.oid', 'p.polrelid')
    .innerJoin('pg_namespace as n', 'n.oid', 'c.relnamespace')
    .select([
      sql<string>`'policy'`.as('kind'),
      'n.nspname as schema',
      sql<string>`p.polname::text`.as('name'),
      sql<string | null>`c.relname::text`.as('table'),
    ])
    .where(inManaged('n.nspname', ctx))
    .where(notExtensionOwned('pg_class', 'c.oid'));
  const rules = db
    .selectFrom('pg_rewrite as r')
    .innerJoin('pg_class as c', 'c.oid', 'r.ev_class')
    .innerJoin('pg_namespace as n', 'n.oid', 'c.relnamespace')
    .select([
      sql<string>`'rule'`.as('kind'),
      'n.nspname as schema',
      sql<string>`r.rulename::text`.as('name'),
      sql<string | null>`c.relname::text`.as('table'),
    ])
    .where(inManaged('n.nspname', ctx))
    // A view's body is its `_RETURN` rule; the view itself is already reported.
    .where('r.rulename', '<>', '_RETURN')
    .where(notExtensionOwned('pg_class', 'c.oid'));
  // Exclusion constraints (and the indexes behind them) are not modelled yet; they must still be named.
  const exclusions = db
    .selectFrom('pg_constraint as x')
    .innerJoin('pg_class as c', 'c.oid', 'x.conrelid')
    .innerJoin('pg_namespace as n', 'n.oid', 'c.relnamespace')
    .select([
      sql<string>`'exclusion'`.as('kind'),
      'n.nspname as schema',
      sql<string>`x.conname::text`.as('name'),
      sql<string | null>`c.relname::text`.as('table'),
    ])
    .where(inManaged('n.nspname', ctx))
    .where('x.contype', '=', 'x')
    .where(notExtensionOwned('pg_class', 'c.oid'));
  return routines.unionAll(triggers).unionAll(policies).unionAll(rules).unionAll(exclusions);
}
