import { withClient } from '../db/connect.js';
import type { Change } from '../diff/change.js';
import { classifyTypeChange } from './type-change.js';

/**
 * Type changes PostgreSQL has no cast for (bigint → timestamp, boolean → date, …). `ALTER COLUMN … TYPE`
 * with `USING col::new` fails on such a pair whatever the data, even on an empty table; through the value's
 * text form (`USING col::text::new`) it converts every value the new type can read and fails, rolling back,
 * on the first it cannot. The prechecks count those values the same way (pg_input_is_valid reads the text).
 *
 * Which pairs lack a cast is asked of the target server itself (`SELECT NULL::a::b` is parsed with the
 * same coercion rules as the USING clause), so domains, arrays and extension types follow PostgreSQL.
 * A type the plan itself creates does not exist yet and is left to the usual cast.
 */
export function castKey(from: string, to: string): string {
  return `${from}\u0000${to}`;
}

export async function typeChangesWithoutCast(url: string, changes: readonly Change[]): Promise<Set<string>> {
  const pairs = new Map<string, { from: string; to: string }>();
  for (const c of changes) {
    if (c.kind !== 'column.alter' || !c.fields.includes('type')) continue;
    if (classifyTypeChange(c.from.type, c.column.type) === 'metadata-only') continue;
    pairs.set(castKey(c.from.type, c.column.type), { from: c.from.type, to: c.column.type });
  }
  const missing = new Set<string>();
  // No connection for a plan without such a change (nearly every plan).
  if (pairs.size === 0) return missing;
  await withClient(url, async (client) => {
    for (const [key, { from, to }] of pairs) {
      try {
        await client.query(`SELECT NULL::${from}::${to}`);
      } catch (error) {
        // 42846 cannot_coerce; any other error (a type not created yet) leaves the pair to the usual cast.
        if ((error as { code?: string }).code === '42846') missing.add(key);
      }
    }
  });
  return missing;
}
