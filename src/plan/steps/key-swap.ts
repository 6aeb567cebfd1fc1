import type { Change } from '../../diff/change.js';
import { memberKey, qualifiedKey } from '../../model/keys.js';
import type { ForeignKey, Model, QualifiedName, Table } from '../../model/types.js';

/**
 * A primary key or unique constraint whose definition changes on a table that exists is replaced like an
 * index: the new unique index is built CONCURRENTLY under a temporary name next to the old key, then one
 * short transaction drops the old constraint and attaches the new index with `ADD CONSTRAINT … USING INDEX`
 * (which renames it to the constraint's name). Uniqueness is enforced throughout.
 *
 * A foreign key that references the old key depends on its index, so the old key cannot be dropped while it
 * exists. One the plan changes anyway is dropped early and added back late, as for any changed foreign key.
 * One the plan leaves alone is dropped in the swap's transaction right before the old key and added back
 * NOT VALID right after the new one, then validated in a transaction of its own. When the names the live
 * catalog uses differ from the plan's (a renamed table or column, on either side) the key keeps the
 * drop-then-build form, and so does a key losing one of its columns (the column's drop takes the key along).
 */

export function keySwapKey(kind: 'pk' | 'unique', table: QualifiedName, name: string): string {
  return kind === 'pk' ? `pk ${qualifiedKey(table)}` : `unique ${memberKey(table, name)}`;
}

export interface KeySwap {
  /** Name of the constraint replaced. */
  readonly old: string;
  /** Foreign keys the plan leaves alone that reference the old key: dropped and added back around it. */
  readonly dependents: readonly { readonly table: Table; readonly foreignKey: ForeignKey }[];
}

/** Replaced keys swapped online, by keySwapKey of the new key. */
export function onlineKeyReplacements(changes: readonly Change[], live: Model): Map<string, KeySwap> {
  const blocked = new Set<string>();
  const droppedFks = new Set<string>();
  const droppedColumns = new Set<string>();
  for (const c of changes) {
    switch (c.kind) {
      case 'column.alter':
        if (c.fields.includes('type') || c.fields.includes('collation')) blocked.add(qualifiedKey(c.table));
        break;
      case 'enum.recreate':
        for (const col of c.columns) blocked.add(qualifiedKey(col.table));
        break;
      // Live names and the plan's names of the key's table or columns differ: keep to the simple form.
      case 'table.rename':
        blocked.add(qualifiedKey(c.table));
        break;
      case 'column.rename':
        blocked.add(qualifiedKey(c.table));
        break;
      case 'table.drop':
        blocked.add(qualifiedKey(c.table));
        break;
      case 'column.drop':
        droppedColumns.add(memberKey(c.table, c.column.name));
        break;
      case 'fk.drop':
        droppedFks.add(memberKey(c.table, c.foreignKey.name));
        break;
      default:
        break;
    }
  }
  const dependents = (table: QualifiedName, columns: readonly string[]) => {
    const set = [...columns].sort().join('\0');
    return live.tables.flatMap((t) =>
      t.foreignKeys
        .filter(
          (fk) =>
            fk.references.schema === table.schema &&
            fk.references.table === table.name &&
            [...fk.references.columns].sort().join('\0') === set &&
            !droppedFks.has(memberKey(t, fk.name)),
        )
        .map((foreignKey) => ({ table: t, foreignKey })),
    );
  };
  const dropped = new Map<string, { name: string; table: QualifiedName; columns: readonly string[] }>();
  for (const c of changes) {
    if (c.kind === 'pk.drop') {
      dropped.set(keySwapKey('pk', c.table, ''), { ...c.primaryKey, table: c.table });
    } else if (c.kind === 'unique.drop') {
      dropped.set(keySwapKey('unique', c.table, c.unique.name), { ...c.unique, table: c.table });
    }
  }
  const out = new Map<string, KeySwap>();
  for (const c of changes) {
    if (c.kind !== 'pk.add' && c.kind !== 'unique.add') continue;
    const key =
      c.kind === 'pk.add' ? keySwapKey('pk', c.table, '') : keySwapKey('unique', c.table, c.unique.name);
    const old = dropped.get(key);
    if (!old || blocked.has(qualifiedKey(c.table))) continue;
    // Dropping a column of the key drops the key with it, early: nothing left to swap.
    if (old.columns.some((col) => droppedColumns.has(memberKey(old.table, col)))) continue;
    const deps = dependents(old.table, old.columns);
    if (deps.some((d) => blocked.has(qualifiedKey(d.table)))) continue;
    out.set(key, { old: old.name, dependents: deps });
  }
  return out;
}
