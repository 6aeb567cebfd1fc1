import { withClient } from '../db/connect.js';
import type { DesiredState } from '../load/types.js';
import { compareQualified, qualifiedKey } from '../model/keys.js';
import type { IntrospectionResult, Model, Table } from '../model/types.js';
import { type CompileOptions, compileDesired } from './compile.js';
import { foreignKeysFromLive } from './foreign-keys.js';
import { compileSet } from './incremental.js';
import { readPrelude } from './prelude.js';

/**
 * The tables written in the files that changed since the last load are, nearly always, the tables that
 * differ from live. Their compile can start as soon as the YAML is loaded, while the catalog is still being
 * read; once the catalog says which tables really differ, the result is used for those among them (the extra
 * ones are compiled for nothing and ignored) and the rest are compiled beside it (see compileChanged).
 * The same introspector reads the result either way: only the moment of compiling changes.
 */
export interface Speculation {
  /** The tables compiled ahead, without their foreign keys (shadow/foreign-keys.ts). */
  readonly likely: ReadonlySet<string>;
  /** Null when the compile failed: the real compile then reports whatever is wrong. */
  readonly result: Promise<IntrospectionResult | null>;
}

export function compileLikelyChanged(
  state: DesiredState,
  changedFiles: readonly string[],
  options: Omit<CompileOptions, 'tables' | 'support' | 'prelude'>,
  /** The prelude of `options.schemas`, when it is being read already. */
  prelude: Promise<string[]> | null = null,
): Speculation | null {
  const files = new Set(changedFiles);
  const likely = new Set(state.tables.filter((t) => files.has(t.source.file)).map(qualifiedKey));
  if (likely.size === 0) return null;
  // Without their foreign keys, so without the tables those point at: once the catalog is read, the keys
  // live already has are taken from it and only the others are compiled (see compileChanged).
  const tables = state.tables
    .filter((t) => likely.has(qualifiedKey(t)))
    .map((t) => ({ ...t, foreignKeys: [] }));
  const result = (async () => {
    // What the real compile would get from the catalog read (shadow/prelude.ts), read on its own here.
    const definitions = await (prelude ??
      withClient(options.serverUrl, (c) => readPrelude(c, options.schemas)));
    return compileDesired(state, { ...options, tables, support: new Set(), prelude: definitions });
  })().catch(() => null);
  return { likely, result };
}

/**
 * The compile of the tables that differ from live (`changed`): the one that ran ahead where it covers them,
 * plus a compile of the rest (started at once, beside it) when the guess missed some. Tables that always
 * "differ" because their YAML is spelled unlike PostgreSQL prints it are the usual rest. The tables compiled
 * ahead get their foreign keys from live where live has them as the YAML does (shadow/foreign-keys.ts);
 * those with any other key are compiled again, whole, with the tables their keys point at.
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
  const desiredFirst = (key: string) => (changed.has(key) ? compiledByKey.get(key) : liveByKey.get(key));
  const declared = new Map(state.tables.map((t) => [qualifiedKey(t), t]));
  const again = new Set<string>();
  const settled = new Map<string, Table>();
  for (const key of used) {
    const compiled = compiledByKey.get(key);
    const desired = declared.get(key);
    const keys = compiled && desired ? foreignKeysFromLive(desired, compiled, liveByKey, desiredFirst) : null;
    if (keys === null) again.add(key);
    else settled.set(key, { ...compiled!, foreignKeys: keys });
  }
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
