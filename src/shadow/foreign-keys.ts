import type { DesiredTable } from '../load/types.js';
import { byName, qualifiedKey } from '../model/keys.js';
import type { ForeignKey, Table } from '../model/types.js';
import { renderForeignKeyClause } from '../sql/render-table.js';

/**
 * A foreign key holds no expression: PostgreSQL reads it back exactly as it is written, so compiling one
 * only proves it can be created. That takes the table it points at (created as a stub when it is not itself
 * compiled) and an ALTER TABLE per key: on the 5,000-table benchmark, more than half the work of compiling
 * the 250 edited tables. When the live database already has the very same key, between columns of the same
 * types, pointing at columns of the same types that the desired state still backs with the same key, the key
 * would compile to what live has, so live's is taken. Anything else (a new or changed key, a changed column
 * type, a target whose key changed) is compiled as before, so PostgreSQL still says whether it can be made.
 */

const text = (fk: ForeignKey) => `${renderForeignKeyClause(fk, !fk.valid)}\u0000${fk.comment ?? ''}`;

function sameColumns(a: Table, b: Table, names: readonly string[]): boolean {
  return names.every((name) => {
    const x = a.columns.find((c) => c.name === name);
    const y = b.columns.find((c) => c.name === name);
    return x !== undefined && y !== undefined && x.type === y.type && x.collation === y.collation;
  });
}

/** What can back a foreign key to `columns` (in any order): non-deferrable keys and plain unique indexes. */
function keysOn(t: Table, columns: readonly string[]): string[] {
  const wanted = [...columns].sort().join('\u0000');
  const on = (cols: readonly string[]) => [...cols].sort().join('\u0000') === wanted;
  const out: string[] = [];
  if (t.primaryKey && on(t.primaryKey.columns)) out.push('key');
  for (const u of t.uniques) if (u.deferrable === false && on(u.columns)) out.push('key');
  for (const i of t.indexes) {
    const plain = i.keys.every((k) => k.column !== null && k.expression === null);
    if (i.unique && i.valid && i.where === null && plain && on(i.keys.map((k) => k.column!)))
      out.push(`index ${JSON.stringify(i.keys)}`);
  }
  return out;
}

/**
 * The live foreign keys of a table compiled without its foreign keys (`compiled`), when every key the YAML
 * gives it can be taken from live (see above); null when any must be compiled. `desiredFirst` finds the
 * compiled or live form of any desired table, as the plan will have it.
 */
export function foreignKeysFromLive(
  desired: DesiredTable,
  compiled: Table,
  live: ReadonlyMap<string, Table>,
  desiredFirst: (key: string) => Table | undefined,
): ForeignKey[] | null {
  const current = live.get(qualifiedKey(desired));
  if (!current) return desired.foreignKeys.length === 0 ? [] : null;
  const taken: ForeignKey[] = [];
  for (const fk of desired.foreignKeys) {
    const was = current.foreignKeys.find((f) => f.name === fk.name);
    if (!was || text(was) !== text(fk) || !sameColumns(compiled, current, fk.columns)) return null;
    const targetKey = qualifiedKey({ schema: fk.references.schema, name: fk.references.table });
    const target = desiredFirst(targetKey);
    const liveTarget = live.get(targetKey);
    if (!target || !liveTarget || !sameColumns(target, liveTarget, fk.references.columns)) return null;
    const backing = keysOn(liveTarget, fk.references.columns);
    if (!keysOn(target, fk.references.columns).some((k) => backing.includes(k))) return null;
    taken.push(was);
  }
  return taken.sort(byName);
}
