import type { DesiredState, DesiredTable } from '../load/types.js';
import { compareQualified, qualifiedKey } from '../model/keys.js';
import type { ForeignKey, Index, Model, QualifiedName, SequenceOptions, Table } from '../model/types.js';
import { renderComment } from '../sql/render-objects.js';
import {
  type ColumnLike,
  renderCreateIndex,
  renderCreateTable,
  renderForeignKeyClause,
} from '../sql/render-table.js';
import { breathe } from '../util/breathe.js';

/**
 * Compile only what differs. A desired table whose DDL renders byte-for-byte like the live table's DDL
 * compiles to the live table (the round-trip law: introspect → DDL → compile → introspect is the identity),
 * so it is taken from the live model as it is and only the other tables go to the shadow database, with the
 * tables their foreign keys point at. Both sides are still read by the same introspector; the shadow work
 * grows with the change, not with the schema.
 */

const INTEGER_MAX: Readonly<Record<string, string>> = {
  smallint: '32767',
  integer: '2147483647',
  bigint: '9223372036854775807',
};

/** Identity options with PostgreSQL's defaults filled in, so written and catalog forms render alike. */
function fullIdentityOptions(type: string, options: Partial<Omit<SequenceOptions, 'type'>>) {
  const { type: _type, ...rest } = fullSequenceOptions({ ...options, type });
  return rest;
}

/** An index as its table's signature has it: its DDL, validity and comment. */
export function indexSignature(table: QualifiedName, i: Index): string {
  return `${renderCreateIndex(table, i)} -- ${i.valid} ${i.comment ?? ''}`;
}

/** A foreign key as its table's signature has it: its clause (NOT VALID included) and comment. */
export function foreignKeySignature(fk: ForeignKey): string {
  return `${renderForeignKeyClause(fk, !fk.valid)} -- ${fk.comment ?? ''}`;
}

export function tableSignature(table: {
  schema: string;
  name: string;
  columns: readonly ColumnLike[];
  primaryKey: Table['primaryKey'];
  uniques: Table['uniques'];
  checks: Table['checks'];
  foreignKeys: Table['foreignKeys'];
  indexes: Table['indexes'];
  comment: string | null;
}): string {
  const columns = table.columns.map((c) =>
    c.identity
      ? { ...c, identity: { ...c.identity, options: fullIdentityOptions(c.type, c.identity.options) } }
      : c,
  );
  const normalised = { ...table, columns };
  const parts = [renderCreateTable(normalised)];
  for (const i of table.indexes) parts.push(indexSignature(table, i));
  for (const fk of table.foreignKeys) parts.push(foreignKeySignature(fk));
  if (table.comment !== null) parts.push(renderComment({ kind: 'table', object: table }, table.comment));
  for (const c of table.columns) parts.push(`${c.name}: ${c.comment ?? ''}`);
  const constraints = [...(table.primaryKey ? [table.primaryKey] : []), ...table.uniques, ...table.checks];
  for (const c of constraints) parts.push(`${c.name}: ${c.comment ?? ''}`);
  return parts.join('\n');
}

export interface CompileSplit {
  /** Tables to send to the shadow: the changed ones and the tables their foreign keys reference. */
  readonly compile: readonly DesiredTable[];
  /** Keys of the changed tables (new, or DDL differs from live). */
  readonly changed: ReadonlySet<string>;
  /** Keys of tables compiled only as foreign key targets; their live definition stands. */
  readonly support: ReadonlySet<string>;
}

/** Yields now and then (util/breathe.ts): the compile started ahead runs meanwhile. */
export async function splitByLiveModel(state: DesiredState, live: Model): Promise<CompileSplit> {
  const liveByKey = new Map(live.tables.map((t) => [qualifiedKey(t), t]));
  const changed = new Set<string>();
  for (const t of state.tables) {
    await breathe();
    const key = qualifiedKey(t);
    const l = liveByKey.get(key);
    if (!l || tableSignature(l) !== tableSignature(t)) changed.add(key);
  }
  return compileSet(state, changed);
}

/** The tables to compile for a set of changed ones: those, and the tables their foreign keys point at. */
export function compileSet(state: DesiredState, changed: ReadonlySet<string>): CompileSplit {
  const desiredByKey = new Map(state.tables.map((t) => [qualifiedKey(t), t]));
  const support = new Set<string>();
  for (const key of changed) {
    for (const fk of desiredByKey.get(key)?.foreignKeys ?? []) {
      const target = qualifiedKey({ schema: fk.references.schema, name: fk.references.table });
      if (desiredByKey.has(target) && !changed.has(target)) support.add(target);
    }
  }
  const compile = state.tables.filter((t) => changed.has(qualifiedKey(t)) || support.has(qualifiedKey(t)));
  return { compile, changed, support };
}

/**
 * The desired model: the changed tables as compiled, every other table as it is live, and the types,
 * sequences and extensions as compiled.
 */
export function mergeCompiled(
  state: DesiredState,
  compiled: Model,
  live: Model,
  changed: ReadonlySet<string>,
): Model {
  const liveByKey = new Map(live.tables.map((t) => [qualifiedKey(t), t]));
  const reused = state.tables
    .filter((t) => !changed.has(qualifiedKey(t)))
    .map((t) => liveByKey.get(qualifiedKey(t))!);
  const reusedKeys = new Set(reused.map(qualifiedKey));
  // Ownership of a sequence by a reused table was not compiled (the table was not in the shadow).
  const sequences = compiled.sequences.map((s) => {
    const desired = state.sequences.find((d) => d.schema === s.schema && d.name === s.name);
    if (!desired?.ownedBy || s.ownedBy) return s;
    const owner = qualifiedKey({ schema: s.schema, name: desired.ownedBy.table });
    return reusedKeys.has(owner) ? { ...s, ownedBy: desired.ownedBy } : s;
  });
  return {
    ...compiled,
    sequences,
    tables: [...compiled.tables.filter((t) => changed.has(qualifiedKey(t))), ...reused].sort(
      compareQualified,
    ),
  };
}

/** Sequence options with PostgreSQL's defaults filled in, as pg_sequence stores them (identity too). */
function fullSequenceOptions(o: Partial<SequenceOptions>): SequenceOptions {
  const type = o.type ?? 'bigint';
  const increment = o.increment ?? '1';
  const ascending = !increment.startsWith('-');
  const max = INTEGER_MAX[type] ?? INTEGER_MAX.bigint!;
  const lowest = type === 'bigint' ? '-9223372036854775808' : `-${String(BigInt(max) + 1n)}`;
  const min = o.min ?? (ascending ? '1' : lowest);
  const maxValue = o.max ?? (ascending ? max : '-1');
  return {
    type,
    start: o.start ?? (ascending ? min : maxValue),
    increment,
    min,
    max: maxValue,
    cache: o.cache ?? '1',
    cycle: o.cycle ?? false,
  };
}

/**
 * When no table differs and every enum, sequence and extension of the desired state is exactly what the
 * database has, the desired model is the live model restricted to what the YAML names: no shadow needed.
 * That is the common case of `drift` and of a plan on an unchanged schema. Returns null otherwise.
 */
export function liveModelIfUnchanged(
  state: DesiredState,
  live: Model,
  changed: ReadonlySet<string>,
): Model | null {
  if (changed.size > 0) return null;
  const liveSchemas = new Set(live.schemas.map((s) => s.name));
  if (!state.schemas.every((s) => liveSchemas.has(s))) return null;
  const enums = new Map(live.enums.map((e) => [qualifiedKey(e), e]));
  for (const e of state.enums) {
    const l = enums.get(qualifiedKey(e));
    if (!l || l.comment !== e.comment || l.values.join('\u0000') !== e.values.join('\u0000')) return null;
  }
  const sequences = new Map(live.sequences.map((s) => [qualifiedKey(s), s]));
  for (const s of state.sequences) {
    const l = sequences.get(qualifiedKey(s));
    if (!l || l.comment !== s.comment || JSON.stringify(l.ownedBy) !== JSON.stringify(s.ownedBy)) return null;
    const o = fullSequenceOptions(s.options);
    const same =
      l.type === o.type &&
      l.start === o.start &&
      l.increment === o.increment &&
      l.min === o.min &&
      l.max === o.max &&
      l.cache === o.cache &&
      l.cycle === o.cycle;
    if (!same) return null;
  }
  const extensions = new Map(live.extensions.map((e) => [e.name, e]));
  for (const e of state.extensions) {
    const l = extensions.get(e.name);
    if (!l || l.schema !== e.schema || (e.version !== null && l.version !== e.version)) return null;
  }
  const tables = new Map(live.tables.map((t) => [qualifiedKey(t), t]));
  const pick = <T extends { schema: string; name: string }>(
    list: readonly { schema: string; name: string }[],
    from: Map<string, T>,
  ) => list.map((x) => from.get(qualifiedKey(x))!).sort(compareQualified);
  return {
    schemas: live.schemas,
    extensions: state.extensions
      .map((e) => extensions.get(e.name)!)
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)),
    enums: pick(state.enums, enums),
    sequences: pick(state.sequences, sequences),
    tables: pick(state.tables, tables),
  };
}
