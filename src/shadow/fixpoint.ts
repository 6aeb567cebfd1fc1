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
 * The trip is needed only where an expression is in question: an expression that reads exactly as it does
 * live has nothing to settle (both sides leave it alone), and an expression goes through on the live side
 * only where it stands against a different desired one. So a trip takes, of each table, its columns (their
 * types decide how expressions print) and only the expressions in question: the other defaults, checks and
 * indexes, and all keys and foreign keys, stay out, and creating them (a relation for each index) would be
 * most of the trip's work.
 */

/** The name of each place an expression stands in (expressionSlots), shared by the trip's choice and merge. */
const slot = {
  default: (column: string) => `default ${column}`,
  generated: (column: string) => `generated ${column}`,
  check: (name: string) => `check ${name}`,
  index: (name: string) => `index ${name}`,
};

/** A table's slots in question; `all` where every slot takes the trip. */
type TripSlots = ReadonlySet<string> | 'all';

/** Slots in question per table key. */
type Slots = ReadonlyMap<string, TripSlots>;

const inTrip = (slots: TripSlots, name: string) => slots === 'all' || slots.has(name);

async function canonicalTables(
  model: Model,
  slots: Slots,
  options: Omit<CompileOptions, 'tables' | 'support'>,
  requires: DesiredState['requires'] = [],
): Promise<Map<string, Table>> {
  const byKey = new Map(model.tables.map((t) => [qualifiedKey(t), t]));
  const wanted = [...slots.keys()].filter((k) => byKey.has(k)).sort();
  if (wanted.length === 0) return new Map();
  const tables = wanted.map((k) => expressionsOnly(byKey.get(k)!, slots.get(k)!));
  const state = modelAsDesiredState(model, tables, requires);
  const compiled = await compileDesired(state, { ...options, tables: state.tables, support: new Set() });
  const out = new Map<string, Table>();
  for (const t of compiled.model.tables) {
    const key = qualifiedKey(t);
    const original = byKey.get(key);
    const which = slots.get(key);
    if (original && which) out.set(key, withExpressionsOf(original, t, which));
  }
  return out;
}

const hasExpression = (i: Index) => i.where !== null || i.keys.some((k) => k.expression !== null);

/** What of a table the trip needs: its columns, and the expressions in question. */
function expressionsOnly(t: Table, slots: TripSlots): Table {
  return {
    ...t,
    columns: t.columns.map((c) => ({
      ...c,
      default: inTrip(slots, slot.default(c.name)) ? c.default : null,
      generated: inTrip(slots, slot.generated(c.name)) ? c.generated : null,
      comment: null,
    })),
    primaryKey: null,
    uniques: [],
    foreignKeys: [],
    indexes: t.indexes
      .filter((i) => hasExpression(i) && inTrip(slots, slot.index(i.name)))
      .map((i) => ({ ...i, comment: null })),
    checks: t.checks.filter((c) => inTrip(slots, slot.check(c.name))).map((c) => ({ ...c, comment: null })),
    comment: null,
  };
}

/** The table with every expression in question as the trip printed it (`tripped`), all else kept. */
function withExpressionsOf(t: Table, tripped: Table, slots: TripSlots): Table {
  const columns = new Map(tripped.columns.map((c) => [c.name, c]));
  const checks = new Map(tripped.checks.map((c) => [c.name, c]));
  const indexes = new Map(tripped.indexes.map((i) => [i.name, i]));
  return {
    ...t,
    columns: t.columns.map((c) => {
      const after = columns.get(c.name);
      if (!after) return c;
      const tripDefault = inTrip(slots, slot.default(c.name));
      const tripGenerated = inTrip(slots, slot.generated(c.name));
      if (!tripDefault && !tripGenerated) return c;
      return {
        ...c,
        default: tripDefault ? after.default : c.default,
        generated: tripGenerated ? after.generated : c.generated,
      };
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
    if (c.default !== null) slots.set(slot.default(c.name), c.default);
    if (c.generated !== null) slots.set(slot.generated(c.name), c.generated);
  }
  for (const c of t.checks) slots.set(slot.check(c.name), c.expression);
  for (const i of t.indexes) {
    const expressions = i.keys.map((k) => k.expression ?? '');
    if (i.where !== null || expressions.some((e) => e !== ''))
      slots.set(slot.index(i.name), `${expressions.join('\u0000')}\u0000${i.where ?? ''}`);
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
  /** Changed tables whose desired expressions are not all exactly as live, with the slots that are not. */
  readonly desired: Map<string, Set<string> | 'all'>;
  /** Of those slots, the ones where a live expression stands against a different desired one. */
  readonly live: Map<string, Set<string> | 'all'>;
}

/** Which expressions of the changed tables take the second trip, on which side (compiled desired `desiredFirst`). */
function stableTrips(
  desiredFirst: Model,
  live: Model,
  changed: ReadonlySet<string>,
  state: DesiredState,
): StableTrips {
  const liveByKey = new Map(live.tables.map((t) => [qualifiedKey(t), t]));
  const declared = new Map(state.tables.map((t) => [qualifiedKey(t), t]));
  const desired = new Map<string, Set<string> | 'all'>();
  const liveSide = new Map<string, Set<string> | 'all'>();
  for (const t of desiredFirst.tables) {
    const key = qualifiedKey(t);
    if (!changed.has(key)) continue;
    const slots = expressionSlots(t);
    const current = liveByKey.get(key);
    const liveSlots = current ? expressionSlots(current) : new Map<string, string>();
    const renames = declared.get(key);
    // Renamed members are named differently on the two sides: both take the trip whole.
    if (current && renames && declaresRenames(renames) && (slots.size > 0 || liveSlots.size > 0)) {
      desired.set(key, 'all');
      liveSide.set(key, 'all');
      continue;
    }
    for (const [name, text] of slots) {
      const was = liveSlots.get(name);
      if (was === text) continue;
      add(desired, key, name);
      if (was !== undefined) add(liveSide, key, name);
    }
  }
  return { desired, live: liveSide };
}

function add(map: Map<string, Set<string> | 'all'>, key: string, name: string): void {
  const slots = map.get(key);
  if (slots === undefined) map.set(key, new Set([name]));
  else if (slots !== 'all') slots.add(name);
}

/**
 * Both sides of the changed tables in their stable printed form: the desired model with the expressions that
 * took the trip replaced, and the live tables that took it (for the diff to compare against), by key. Each
 * side's trip holds only expressions that differ from the other side's, so an expression that reads the same
 * on both sides before the trip is left alone on both, and never seen to differ after it.
 */
export async function stableForms(
  desiredFirst: Model,
  live: Model,
  changed: ReadonlySet<string>,
  state: DesiredState,
  options: Omit<CompileOptions, 'tables' | 'support'>,
): Promise<{ desired: Model; liveStable: Map<string, Table> }> {
  const trips = stableTrips(desiredFirst, live, changed, state);
  const [desiredStable, liveStable] = await Promise.all([
    canonicalTables(desiredFirst, trips.desired, options, state.requires),
    canonicalTables(live, trips.live, options),
  ]);
  const tables = desiredFirst.tables.map((t) => desiredStable.get(qualifiedKey(t)) ?? t);
  return { desired: { ...desiredFirst, tables }, liveStable };
}
