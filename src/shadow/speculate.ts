import { withClient } from '../db/connect.js';
import type { DesiredState, DesiredTable } from '../load/types.js';
import { compareQualified, qualifiedKey } from '../model/keys.js';
import type { IntrospectionResult, Model, Table } from '../model/types.js';
import { type CompileOptions, compileDesired } from './compile.js';
import { compileSet } from './incremental.js';
import { foreignKeysFromLive, keysFromLive, type LeftOut, withoutMembers } from './members.js';
import { readPrelude } from './prelude.js';

/**
 * The tables written in the files that changed since the last load are, nearly always, the tables that
 * differ from live. Their compile can start as soon as the YAML is loaded, while the catalog is still being
 * read; once the catalog says which tables really differ, the result is used for those among them (the extra
 * ones are compiled for nothing and ignored) and the rest are compiled beside it (see compileChanged).
 * The same introspector reads the result either way: only the moment of compiling changes.
 */
export interface Speculation {
  /** The tables compiled ahead, without the members their edit left as they were (shadow/members.ts). */
  readonly likely: ReadonlySet<string>;
  /** The members each was compiled without (shadow/members.ts). */
  readonly leftOut: ReadonlyMap<string, LeftOut>;
  /** Null when the compile failed: the real compile then reports whatever is wrong. */
  readonly result: Promise<IntrospectionResult | null>;
}

export function compileLikelyChanged(
  state: DesiredState,
  changedFiles: readonly string[],
  options: Omit<CompileOptions, 'tables' | 'support' | 'prelude'>,
  /** The prelude of `options.schemas`, when it is being read already. */
  prelude: Promise<string[]> | null = null,
  /** The tables the changed files defined before they changed (LoadResult.superseded). */
  before: readonly DesiredTable[] = [],
  /**
   * Whether `state` has every table. An early load's does not (load/index.ts EarlyLoad): then a foreign key
   * target it lacks means no compile ahead, rather than one bound to fail.
   */
  complete = true,
): Speculation | null {
  const files = new Set(changedFiles);
  const likely = new Set(state.tables.filter((t) => files.has(t.source.file)).map(qualifiedKey));
  if (likely.size === 0) return null;
  // Without the members that are as they were before the edit: once the catalog is read, those live has as
  // the YAML writes them are taken from live (see compileChanged). The foreign keys compiled ahead need the
  // tables they point at: as stubs, and with their keys when they are compiled ahead themselves.
  const previous = new Map(before.map((t) => [qualifiedKey(t), t]));
  const declared = state.tables.filter((t) => likely.has(qualifiedKey(t)));
  const first = declared.map((t) => withoutMembers(t, previous.get(qualifiedKey(t))));
  const targets = new Set(
    first.flatMap(({ table }) =>
      table.foreignKeys.map((f) => qualifiedKey({ schema: f.references.schema, name: f.references.table })),
    ),
  );
  const leftOut = new Map<string, LeftOut>();
  const compiled: DesiredTable[] = [];
  declared.forEach((t, i) => {
    const key = qualifiedKey(t);
    const { table, leftOut: out } = targets.has(key) ? withoutMembers(t, previous.get(key), true) : first[i]!;
    compiled.push(table);
    leftOut.set(key, out);
  });
  const support = new Set([...targets].filter((k) => !likely.has(k)));
  const supporting = state.tables.filter((t) => support.has(qualifiedKey(t)));
  if (!complete && supporting.length < support.size) return null;
  const tables = [...compiled, ...supporting];
  const result = (async () => {
    // What the real compile would get from the catalog read (shadow/prelude.ts), read on its own here.
    const definitions = await (prelude ??
      withClient(options.serverUrl, (c) => readPrelude(c, options.schemas)));
    return compileDesired(state, { ...options, tables, support, prelude: definitions });
  })().catch(() => null);
  return { likely, leftOut, result };
}

/**
 * The compile of the tables that differ from live (`changed`): the one that ran ahead where it covers them,
 * plus a compile of the rest (started at once, beside it) when the guess missed some. Tables that always
 * "differ" because their YAML is spelled unlike PostgreSQL prints it are the usual rest. The tables compiled
 * ahead get the members they were compiled without from live, where live has them as the YAML writes them
 * (shadow/members.ts); those with any other member are compiled again, whole, with the tables their foreign
 * keys point at.
 */
export async function compileChanged(
  speculation: Speculation | null,
  state: DesiredState,
  changed: ReadonlySet<string>,
  live: Model,
  options: Omit<CompileOptions, 'tables' | 'support'>,
): Promise<{ compiled: IntrospectionResult; ahead: boolean }> {
  const compile = (keys: ReadonlySet<string>) => {
    const set = compileSet(state, keys);
    return compileDesired(state, { ...options, tables: set.compile, support: set.support });
  };
  if (!speculation) return { compiled: await compile(changed), ahead: false };
  const rest = new Set([...changed].filter((k) => !speculation.likely.has(k)));
  const more = rest.size > 0 ? compile(rest) : null;
  more?.catch(() => {});
  const ahead = await speculation.result;
  if (ahead === null) {
    await more?.catch(() => {});
    return { compiled: await compile(changed), ahead: false };
  }
  const used = new Set([...changed].filter((k) => speculation.likely.has(k)));
  const both = more ? combine(ahead, used, await more, rest) : ahead;

  const liveByKey = new Map(live.tables.map((t) => [qualifiedKey(t), t]));
  const compiledByKey = new Map(both.model.tables.map((t) => [qualifiedKey(t), t]));
  const declared = new Map(state.tables.map((t) => [qualifiedKey(t), t]));
  const again = new Set<string>();
  // First the keys and indexes, then the foreign keys, which need the keys of the tables they point at.
  const settled = new Map<string, Table>();
  for (const key of used) {
    const compiled = compiledByKey.get(key);
    const desired = declared.get(key);
    const leftOut = speculation.leftOut.get(key);
    const table =
      compiled && desired && leftOut ? keysFromLive(desired, compiled, leftOut, liveByKey.get(key)) : null;
    if (table === null) again.add(key);
    else settled.set(key, table);
  }
  const desiredFirst = (key: string) =>
    !changed.has(key) ? liveByKey.get(key) : used.has(key) ? settled.get(key) : compiledByKey.get(key);
  for (const [key, table] of settled) {
    const leftOut = speculation.leftOut.get(key)!;
    const keys = foreignKeysFromLive(
      declared.get(key)!,
      table,
      leftOut,
      liveByKey.get(key),
      liveByKey,
      desiredFirst,
    );
    if (keys === null) again.add(key);
    else settled.set(key, { ...table, foreignKeys: keys });
  }
  for (const key of again) settled.delete(key);
  const withKeys: IntrospectionResult = {
    ...both,
    model: { ...both.model, tables: both.model.tables.map((t) => settled.get(qualifiedKey(t)) ?? t) },
  };
  if (again.size === 0) return { compiled: withKeys, ahead: true };
  const kept = new Set([...changed].filter((k) => !again.has(k)));
  return { compiled: combine(withKeys, kept, await compile(again), again), ahead: true };
}

/**
 * Two compiles of the same desired state with different tables as one: each table from the compile that
 * compiled it in full (not as a foreign key target), each sequence's ownership from the compile that had
 * its owner. Types, extensions and sequences are otherwise the same in both: every compile creates them all.
 */
function combine(
  a: IntrospectionResult,
  aTables: ReadonlySet<string>,
  b: IntrospectionResult,
  bTables: ReadonlySet<string>,
): IntrospectionResult {
  const tables = [
    ...a.model.tables.filter((t) => aTables.has(qualifiedKey(t))),
    ...b.model.tables.filter((t) => bTables.has(qualifiedKey(t))),
  ].sort(compareQualified);
  const owned = new Map(b.model.sequences.filter((s) => s.ownedBy).map((s) => [qualifiedKey(s), s]));
  const sequences = a.model.sequences.map((s) => (s.ownedBy ? s : (owned.get(qualifiedKey(s)) ?? s)));
  return { ...a, model: { ...a.model, tables, sequences } };
}
