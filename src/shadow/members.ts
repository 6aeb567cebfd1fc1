import type { DesiredForeignKey, DesiredTable } from '../load/types.js';
import { stableStringify } from '../model/fingerprint.js';
import { byName, qualifiedKey } from '../model/keys.js';
import type { ForeignKey, PrimaryKey, Table, UniqueConstraint } from '../model/types.js';
import { renderPrimaryKeyClause, renderUniqueClause } from '../sql/render-table.js';
import { foreignKeySignature, indexSignature } from './incremental.js';

/**
 * Keys, indexes and foreign keys of an edited table that live already has exactly as the YAML writes them
 * need no compile: what PostgreSQL would print for them is what it prints for live's (the round-trip law
 * that lets unchanged tables be taken from live, applied member by member). Compiling them costs an index
 * each for keys and indexes, and for a foreign key an ALTER TABLE and the table it points at (as a stub): on
 * the 5,000-table benchmark, most of the work of compiling the 250 edited tables.
 *
 * So the compile that runs ahead (shadow/speculate.ts) leaves out the keys, indexes and foreign keys that are
 * as the file's previous version wrote them (LoadResult.superseded). Once the catalog is read, each member left out
 * is taken from live when live has one of the same name that renders the same, over columns whose type and
 * collation did not change (for an index with expressions or a predicate: no column of the table changed),
 * and, for a foreign key, pointing at columns of unchanged types that the desired state still backs with the
 * same key. A table with any other member left out (new, changed, or over a changed column) is compiled
 * again, whole, so PostgreSQL still says whether it can be made, at the YAML line.
 */

/** The members of a table the compile ahead leaves out, by name. */
export interface LeftOut {
  readonly primaryKey: boolean;
  readonly uniques: ReadonlySet<string>;
  readonly indexes: ReadonlySet<string>;
  readonly foreignKeys: ReadonlySet<string>;
}

/** A member as written, without where it was written (an edit above it moves it). */
function written(member: object): string {
  const { source: _source, ...rest } = member as { source?: unknown };
  return stableStringify(rest);
}

/** A foreign key as written; referenced columns the YAML omitted are filled in only after the load. */
function writtenKey(fk: DesiredForeignKey, before: DesiredForeignKey): string {
  const columns = before.references.columns.length === 0 ? [] : fk.references.columns;
  return written({ ...fk, references: { ...fk.references, columns } });
}

function unchanged<T extends { readonly name: string }>(
  now: readonly T[],
  before: readonly T[],
  text: (m: T, b: T) => string = written,
): Set<string> {
  const out = new Set<string>();
  for (const m of now) {
    const b = before.find((x) => x.name === m.name);
    if (b && text(m, b) === written(b)) out.add(m.name);
  }
  return out;
}

/** Whether two of the table's primary key and unique constraints are over the same columns. */
function sharesColumns(t: DesiredTable): boolean {
  const keys = [...(t.primaryKey ? [t.primaryKey] : []), ...t.uniques].map((k) => k.columns.join('\u0000'));
  return new Set(keys).size < keys.length;
}

/**
 * The table as the compile ahead creates it: without the members that are as they were before the edit
 * (`before`: the table in the file's last loaded version), which live most likely has as they are, and which
 * are taken from live once it is read (keysFromLive, foreignKeysFromLive). A table new to its file keeps them
 * all.
 */
export function withoutMembers(
  t: DesiredTable,
  before: DesiredTable | undefined,
  /** Keep the keys and indexes: a foreign key compiled ahead points at this table. */
  keepKeys = false,
): { table: DesiredTable; leftOut: LeftOut } {
  const none: LeftOut = { primaryKey: false, uniques: new Set(), indexes: new Set(), foreignKeys: new Set() };
  if (!before) return { table: t, leftOut: none };
  // CREATE TABLE keeps one of two keys over the same columns: compiled apart, both would stay.
  if (sharesColumns(t)) keepKeys = true;
  const leftOut: LeftOut = {
    primaryKey:
      !keepKeys &&
      t.primaryKey !== null &&
      before.primaryKey !== null &&
      written(t.primaryKey) === written(before.primaryKey),
    uniques: keepKeys ? new Set() : unchanged(t.uniques, before.uniques),
    indexes: keepKeys ? new Set() : unchanged(t.indexes, before.indexes),
    foreignKeys: unchanged(t.foreignKeys, before.foreignKeys, writtenKey),
  };
  // A primary key makes its columns NOT NULL: they stay so without it, as the key will be taken from live.
  const keyColumns = new Set(leftOut.primaryKey ? t.primaryKey!.columns : []);
  const table: DesiredTable = {
    ...t,
    columns: t.columns.map((c) => (keyColumns.has(c.name) && !c.notNull ? { ...c, notNull: true } : c)),
    primaryKey: leftOut.primaryKey ? null : t.primaryKey,
    uniques: t.uniques.filter((u) => !leftOut.uniques.has(u.name)),
    indexes: t.indexes.filter((i) => !leftOut.indexes.has(i.name)),
    foreignKeys: t.foreignKeys.filter((f) => !leftOut.foreignKeys.has(f.name)),
  };
  return { table, leftOut };
}

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

/** The members left out, taken from live (null when any is not there as written), with those compiled. */
function fromLive<T extends { readonly name: string }>(
  compiled: readonly T[],
  wanted: readonly T[],
  leftOut: ReadonlySet<string>,
  live: readonly T[],
  matches: (w: T, l: T) => boolean,
): T[] | null {
  const taken: T[] = [...compiled];
  for (const w of wanted) {
    if (!leftOut.has(w.name)) continue;
    const l = live.find((x) => x.name === w.name);
    if (!l || !matches(w, l)) return null;
    taken.push(l);
  }
  return taken.sort(byName);
}

/**
 * The primary key, uniques and indexes of a table compiled without some of them (`compiled`), those taken
 * from live; null when any must be compiled.
 */
export function keysFromLive(
  desired: DesiredTable,
  compiled: Table,
  leftOut: LeftOut,
  current: Table | undefined,
): Table | null {
  const any = leftOut.primaryKey || leftOut.uniques.size > 0 || leftOut.indexes.size > 0;
  if (!any) return compiled;
  if (!current) return null;
  let primaryKey = compiled.primaryKey;
  if (leftOut.primaryKey) {
    const pk = desired.primaryKey!;
    const was = current.primaryKey;
    const text = (k: PrimaryKey) => `${renderPrimaryKeyClause(k)}\u0000${k.comment ?? ''}`;
    if (!was || text(pk) !== text(was) || !sameColumns(compiled, current, pk.columns)) return null;
    primaryKey = was;
  }
  const uniques = fromLive(compiled.uniques, desired.uniques, leftOut.uniques, current.uniques, (u, was) => {
    const text = (k: UniqueConstraint) => `${renderUniqueClause(k)}\u0000${k.comment ?? ''}`;
    return text(u) === text(was) && sameColumns(compiled, current, u.columns);
  });
  const allColumns = current.columns.map((c) => c.name);
  const indexes = fromLive(compiled.indexes, desired.indexes, leftOut.indexes, current.indexes, (i, was) => {
    if (indexSignature(desired, i) !== indexSignature(current, was)) return false;
    const plain = i.where === null && i.keys.every((k) => k.expression === null);
    const columns = plain ? [...i.keys.map((k) => k.column!), ...i.include] : allColumns;
    return sameColumns(compiled, current, columns);
  });
  if (uniques === null || indexes === null) return null;
  return { ...compiled, primaryKey, uniques, indexes };
}

/**
 * The foreign keys of a table compiled without some of them (`table`: compiled, its keys settled), those
 * taken from live; null when any must be compiled. `desiredFirst` finds the form of any desired table as the
 * plan will have it (compiled, or live), or undefined while that is not known.
 */
export function foreignKeysFromLive(
  desired: DesiredTable,
  table: Table,
  leftOut: LeftOut,
  current: Table | undefined,
  live: ReadonlyMap<string, Table>,
  desiredFirst: (key: string) => Table | undefined,
): ForeignKey[] | null {
  if (leftOut.foreignKeys.size === 0) return [...table.foreignKeys];
  if (!current) return null;
  return fromLive(
    table.foreignKeys,
    desired.foreignKeys,
    leftOut.foreignKeys,
    current.foreignKeys,
    (fk, was) => {
      if (foreignKeySignature(was) !== foreignKeySignature(fk) || !sameColumns(table, current, fk.columns))
        return false;
      const targetKey = qualifiedKey({ schema: fk.references.schema, name: fk.references.table });
      const target = desiredFirst(targetKey);
      const liveTarget = live.get(targetKey);
      if (!target || !liveTarget || !sameColumns(target, liveTarget, fk.references.columns)) return false;
      const backing = keysOn(liveTarget, fk.references.columns);
      return keysOn(target, fk.references.columns).some((k) => backing.includes(k));
    },
  );
}
