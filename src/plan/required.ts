import { withClient } from '../db/connect.js';
import type { Change } from '../diff/change.js';
import type { DesiredRequired } from '../load/types.js';

/**
 * The `requires:` entries the target lacks, as changes that create them. An entry is looked up by its name
 * the way PostgreSQL reads it (`to_regtype`, `to_regprocedure`), so `public.f(numeric)` finds the function
 * whatever its body; one that exists is left as it is, whatever its definition (tidemark does not manage it).
 */
export async function missingRequired(url: string, requires: readonly DesiredRequired[]): Promise<Change[]> {
  // No connection for a desired state that requires nothing (nearly every one).
  if (requires.length === 0) return [];
  const { rows } = await withClient(url, (client) =>
    client.query<{ missing: boolean }>(
      `select case r.kind when 'function' then to_regprocedure(r.name) is null
                          else to_regtype(r.name) is null end as missing
         from unnest($1::text[], $2::text[]) with ordinality as r(kind, name, n)
        order by r.n`,
      [requires.map((r) => r.kind), requires.map((r) => r.name)],
    ),
  );
  return requires.flatMap((r, i) =>
    rows[i]?.missing
      ? [{ kind: 'required.create' as const, required: { kind: r.kind, name: r.name, sql: r.sql } }]
      : [],
  );
}
