import type { DesiredState } from '../load/types.js';
import { qualifiedKey } from '../model/keys.js';
import type { Index, Model, Table } from '../model/types.js';
import { type CompileOptions, compileDesired } from './compile.js';
import { modelAsDesiredState } from './from-model.js';

/**
 * PostgreSQL does not always print an expression in a form that reads back to the same stored text: a
 * check `status IN ('a','b')` on a varchar column is printed as `(status)::text = ANY ((ARRAY['a'::character
 * varying, …])::text[])`, and that text, compiled again, is printed as `… ANY (ARRAY[('a'::character
 * varying)::text, …])`. The second form is stable. So the diff compares both sides after one more trip
 * through PostgreSQL, and plans are rendered from the stable form, so what apply creates reads back exactly
 * as planned.
 *
 * The trip is needed only where an expression is in question: a table whose expressions all read exactly as
 * they do live has nothing to settle, and a table goes through on the live side only where a live expression
 * is compared with a different desired one. Foreign keys hold no expressions and stay out of the trip, so
 * the tables they point at are not needed either.
 */
async function canonicalTables(
  model: Model,
  keys: ReadonlySet<string>,
  options: Omit<CompileOptions, 'tables' | 'support'>,
): Promise<Map<string, Table>> {
  const byKey = new Map(model.tables.map((t) => [qualifiedKey(t), t]));
  const wanted = [...keys].filter((k) => byKey.has(k)).sort();
  if (wanted.length === 0) return new Map();
  const tables = wanted.map((k) => expressionsOnly(byKey.get(k)!));
  const state = modelAsDesiredState(model, tables);
  const compiled = await compileDesired(state, { ...options, tables: state.tables, support: new Set() });
  const out = new Map<string, Table>();
  for (const t of compiled.model.tables) {
    const key = qualifiedKey(t);
    const original = byKey.get(key);
    if (original && keys.has(key)) out.set(key, withExpressionsOf(original, t));
  }
  return out;
}

const hasExpression = (i: Index) => i.where !== null || i.keys.some((k) => k.expression !== null);

/**
 * What of a table the trip needs: its columns (their types decide how expressions print) and whatever holds
 * an expression. Keys, plain indexes, foreign keys and comments print the same on every trip, and creating
 * them (an index each for the keys) would be most of the trip's work.
 */
function expressionsOnly(t: Table): Table {
  return {
    ...t,
    columns: t.columns.map((c) => ({ ...c, comment: null })),
    primaryKey: null,
    uniques: [],
    foreignKeys: [],
    indexes: t.indexes.filter(hasExpression).map((i) => ({ ...i, comment: null })),
    checks: t.checks.map((c) => ({ ...c, comment: null })),
    comment: null,
  };
}

/** The table with every expression as the trip printed it (`tripped`, from expressionsOnly), all else kept. */
function withExpressionsOf(t: Table, tripped: Table): Table {
  const columns = new Map(tripped.columns.map((c) => [c.name, c]));
  const checks = new Map(tripped.checks.map((c) => [c.name, c]));
  const indexes = new Map(tripped.indexes.map((i) => [i.name, i]));
  return {
    ...t,
    columns: t.columns.map((c) => {
      const after = columns.get(c.name);
      return after ? { ...c, default: after.default, generated: after.generated } : c;
    }),
    checks: t.checks.map((c) => {
      const after = checks.get(c.name);
      return after ? { ...c, expression: after.expression } : c;
    }),
    indexes: t.indexes.map((i) => {
      const after = indexes.get(i.name);
      return after && hasExpression(i) ? { ...i, keys: after.keys, where: after.where } : i;
    }),
  };
}

/** Every expression of a table by the place it stands in: defaults, generated columns, checks, indexes. */
export function expressionSlots(t: Table): Map<string, string> {
  const slots = new Map<string, string>();
  for (const c of t.columns) {
    if (c.default !== null) slots.set(`default ${c.name}`, c.default);
    if (c.generated !== null) slots.set(`generated ${c.name}`, c.generated);
  }
  for (const c of t.checks) slots.set(`check ${c.name}`, c.expression);
  for (const i of t.indexes) {
    const expressions = i.keys.map((k) => k.expression ?? '');
    if (i.where !== null || expressions.some((e) => e !== ''))
      slots.set(`index ${i.name}`, `${expressions.join('\u0000')}\u0000${i.where ?? ''}`);
  }
  return slots;
}

function declaresRenames(t: DesiredState['tables'][number]): boolean {
  const members: { readonly renamedFrom: readonly string[] }[] = [
    ...t.columns,
    ...t.uniques,
    ...t.checks,
    ...t.foreignKeys,
    ...t.indexes,
  ];
  if (t.primaryKey) members.push(t.primaryKey);
  return t.renamedFrom.length > 0 || members.some((m) => m.renamedFrom.length > 0);
}

interface StableTrips {
  /** Changed tables whose desired expressions are not all exactly as live. */
  readonly desired: Set<string>;
  /** Of those, the ones where a live expression stands against a different desired one. */
  readonly live: Set<string>;
}

/** Which of the changed tables need the second trip, on which side (compiled desired `desiredFirst`). */
function stableTrips(
  desiredFirst: Model,
  live: Model,
  changed: ReadonlySet<string>,
  state: DesiredState,
): StableTrips {
  const liveByKey = new Map(live.tables.map((t) => [qualifiedKey(t), t]));
  const declared = new Map(state.tables.map((t) => [qualifiedKey(t), t]));
  const desired = new Set<string>();
  const liveSide = new Set<string>();
  for (const t of desiredFirst.tables) {
    const key = qualifiedKey(t);
    if (!changed.has(key)) continue;
    const slots = expressionSlots(t);
    const current = liveByKey.get(key);
    const liveSlots = current ? expressionSlots(current) : new Map<string, string>();
    const renames = declared.get(key);
    if (current && renames && declaresRenames(renames) && (slots.size > 0 || liveSlots.size > 0)) {
      desired.add(key);
      liveSide.add(key);
      continue;
    }
    for (const [slot, text] of slots) {
      const was = liveSlots.get(slot);
      if (was === text) continue;
      desired.add(key);
      if (was !== undefined) liveSide.add(key);
    }
  }
  return { desired, live: liveSide };
}

/**
 * Tables whose desired expressions read exactly as live before the trip but not after it: the live text is
 * not in stable form, so the live side must take the trip too, or the diff would see a change nobody made.
 */
function unsettledLiveTables(
  desiredFirst: Model,
  desiredStable: ReadonlyMap<string, Table>,
  live: Model,
  done: ReadonlySet<string>,
): Set<string> {
  const liveByKey = new Map(live.tables.map((t) => [qualifiedKey(t), t]));
  const out = new Set<string>();
  for (const t of desiredFirst.tables) {
    const key = qualifiedKey(t);
    const stable = desiredStable.get(key);
    const current = liveByKey.get(key);
    if (!stable || !current || done.has(key)) continue;
    const first = expressionSlots(t);
    const after = expressionSlots(stable);
    const liveSlots = expressionSlots(current);
    for (const [slot, text] of first) {
      if (liveSlots.get(slot) === text && after.get(slot) !== text) {
        out.add(key);
        break;
      }
    }
  }
  return out;
}

/**
 * Both sides of the changed tables in their stable printed form: the desired model with the tables that took
 * the trip replaced, and the live tables that took it (for the diff to compare against), by key.
 */
export async function stableForms(
  desiredFirst: Model,
  live: Model,
  changed: ReadonlySet<string>,
  state: DesiredState,
  options: Omit<CompileOptions, 'tables' | 'support'>,
): Promise<{ desired: Model; liveStable: Map<string, Table> }> {
  const trips = stableTrips(desiredFirst, live, changed, state);
  const [desiredStable, liveFirstTrip] = await Promise.all([
    canonicalTables(desiredFirst, trips.desired, options),
    canonicalTables(live, trips.live, options),
  ]);
  const unsettled = unsettledLiveTables(desiredFirst, desiredStable, live, trips.live);
  const liveStable = new Map([...liveFirstTrip, ...(await canonicalTables(live, unsettled, options))]);
  const tables = desiredFirst.tables.map((t) => desiredStable.get(qualifiedKey(t)) ?? t);
  return { desired: { ...desiredFirst, tables }, liveStable };
}
