import type { Change } from '../diff/change.js';
import { typeDisplayName } from '../diff/index.js';
import { fingerprints } from '../model/fingerprint.js';
import { memberKey, qualifiedKey } from '../model/keys.js';
import type { IntrospectionResult, Model, Table } from '../model/types.js';
import { groupSteps, orderSteps } from './order.js';
import { type PlanContext, stepsFor } from './steps/index.js';
import { onlineIndexReplacements } from './steps/indexes.js';
import { onlineKeyReplacements } from './steps/key-swap.js';
import type { HazardCode, Plan, PlanSummary } from './types.js';

export interface BuildPlanInput {
  readonly live: IntrospectionResult;
  readonly changes: readonly Change[];
  /** The model the database will have afterwards (ModelDiff.expected). */
  readonly expected: Model;
  readonly schemas: readonly string[];
  readonly schemaHash: string;
  readonly toolVersion: string;
  readonly approvedHazards?: readonly HazardCode[];
  /** Type changes without a cast, asked of the target (plan/casts.ts); absent: none known. */
  readonly castsThroughText?: ReadonlySet<string>;
}

/** A column's type or collation changes: PostgreSQL converts its values and re-checks what depends on it. */
function isRetype(c: Change): boolean {
  return c.kind === 'column.alter' && (c.fields.includes('type') || c.fields.includes('collation'));
}

/** PlanContext.rekeyedTables: tables whose keys, indexes or column types a foreign key into them holds. */
function rekeyedTables(changes: readonly Change[]): Set<string> {
  const out = new Set<string>();
  for (const c of changes) {
    const dropped = ['pk.drop', 'unique.drop', 'index.drop', 'column.drop'].includes(c.kind);
    if ((isRetype(c) || dropped) && 'table' in c) out.add(qualifiedKey(c.table));
  }
  return out;
}

/**
 * PlanContext.earlyDrops. Tables, indexes (a key's too) and sequences share one namespace per schema, so a
 * table dropped to make way for one that takes its name or the name of one of its keys or indexes (a table
 * renamed without `renamedFrom`, which keeps `users_pkey` or `users_email_key`) must go before the new one is
 * created, not with the other drops at the end.
 */
function nameFreeingDrops(changes: readonly Change[]): Set<string> {
  const taken = new Set<string>();
  const take = (schema: string, name: string) => taken.add(qualifiedKey({ schema, name }));
  const relationNames = (t: Table) => [
    t.name,
    ...(t.primaryKey ? [t.primaryKey.name] : []),
    ...t.uniques.map((u) => u.name),
    ...t.indexes.map((i) => i.name),
  ];
  for (const c of changes) {
    if (c.kind === 'table.create') for (const name of relationNames(c.table)) take(c.table.schema, name);
    else if (c.kind === 'table.rename') take(c.table.schema, c.table.name);
    else if (c.kind === 'index.create') take(c.table.schema, c.index.name);
    else if (c.kind === 'pk.add') take(c.table.schema, c.primaryKey.name);
    else if (c.kind === 'unique.add') take(c.table.schema, c.unique.name);
    else if (c.kind === 'sequence.create') take(c.sequence.schema, c.sequence.name);
  }
  const out = new Set<string>();
  for (const c of changes) {
    if (c.kind !== 'table.drop') continue;
    if (relationNames(c.table).some((name) => taken.has(qualifiedKey({ schema: c.table.schema, name })))) {
      out.add(qualifiedKey(c.table));
    }
  }
  return out;
}

/** Turn a diff into an ordered, grouped plan. Pure: same input, same plan. */
export function buildPlan(input: BuildPlanInput): Plan {
  const { live, changes } = input;
  const ctx: PlanContext = {
    stats: new Map(live.tableStats.map((s) => [qualifiedKey(s), s])),
    newTables: new Set(changes.flatMap((c) => (c.kind === 'table.create' ? [qualifiedKey(c.table)] : []))),
    droppedTables: new Set(changes.flatMap((c) => (c.kind === 'table.drop' ? [qualifiedKey(c.table)] : []))),
    rekeyedTables: rekeyedTables(changes),
    earlyDrops: nameFreeingDrops(changes),
    serverVersionNum: live.serverVersionNum,
    replacedIndexes: onlineIndexReplacements(changes),
    replacedKeys: onlineKeyReplacements(changes, live.model),
    enumTypes: new Set(live.model.enums.map(typeDisplayName)),
    ...(input.castsThroughText ? { castsThroughText: input.castsThroughText } : {}),
  };
  const droppedColumns = new Set(
    changes.flatMap((c) => (c.kind === 'column.drop' ? [memberKey(c.table, c.column.name)] : [])),
  );
  const replaced = replacedConstraints(changes);
  // PostgreSQL parses every check on a column again when the column's type changes (or an enum rebuild
  // converts it, steps/types.ts): a check replaced on such a table keeps its early drop, before the change,
  // since its old text may no longer fit the new type (`status <> 'done'::status` on a column now text).
  const converted = new Set(
    changes.flatMap((c) =>
      c.kind === 'enum.recreate'
        ? c.columns.map((x) => qualifiedKey(x.table))
        : c.kind === 'column.alter' && isRetype(c)
          ? [qualifiedKey(c.table)]
          : [],
    ),
  );
  const drafts = changes
    .filter((c) => {
      // A sequence owned by a dropped table or column goes with it.
      if (c.kind !== 'sequence.drop' || !c.sequence.ownedBy) return true;
      const owner = { schema: c.sequence.schema, name: c.sequence.ownedBy.table };
      return (
        !ctx.droppedTables.has(qualifiedKey(owner)) &&
        !droppedColumns.has(memberKey(owner, c.sequence.ownedBy.column))
      );
    })
    .flatMap((c) => {
      const steps = stepsFor(c, ctx);
      // A foreign key or check replaced under the same name is dropped right before it is added again, in
      // the same short transaction, so the table is never left without it. Unless a column type changes
      // under it: a foreign key between two retyped columns is replaced because it cannot stay while they
      // change (diff/index.ts), so it keeps its early drop, like a check on a converted table.
      const underRetype =
        c.kind === 'fk.drop'
          ? converted.has(qualifiedKey(c.table)) &&
            converted.has(
              qualifiedKey({ schema: c.foreignKey.references.schema, name: c.foreignKey.references.table }),
            )
          : c.kind === 'check.drop' && converted.has(qualifiedKey(c.table));
      if (
        (c.kind === 'fk.drop' || c.kind === 'check.drop') &&
        !underRetype &&
        replaced.has(constraintKey(c))
      ) {
        const phase = c.kind === 'fk.drop' ? ('foreign-keys' as const) : ('constraints' as const);
        return steps.map((s) => ({ ...s, phase, rank: (c.kind === 'check.drop' ? 2 : 0) - 0.5 }));
      }
      return steps;
    });
  const { steps, ownTransaction } = orderSteps(drafts);
  const [from, to] = fingerprints(live.model, input.expected);
  return {
    formatVersion: 1,
    toolVersion: input.toolVersion,
    serverVersionNum: live.serverVersionNum,
    schemas: [...input.schemas].sort(),
    from: { fingerprint: from },
    to: { fingerprint: to },
    schemaHash: input.schemaHash,
    groups: groupSteps(steps, ownTransaction),
    summary: summarize(changes),
    unmanaged: live.unmanaged,
    approvedHazards: [...(input.approvedHazards ?? [])].sort(),
  };
}

type ConstraintChange = Extract<Change, { kind: 'fk.drop' | 'fk.add' | 'check.drop' | 'check.add' }>;

function constraintKey(c: ConstraintChange): string {
  const name = c.kind === 'fk.drop' || c.kind === 'fk.add' ? c.foreignKey.name : c.check.name;
  return `${c.kind.split('.')[0]} ${memberKey(c.table, name)}`;
}

/** Foreign keys and checks the diff drops and adds again under the same name (their definition changed). */
function replacedConstraints(changes: readonly Change[]): Set<string> {
  const added = new Set<string>();
  for (const c of changes) if (c.kind === 'fk.add' || c.kind === 'check.add') added.add(constraintKey(c));
  // A key a foreign key depends on can only be dropped after the foreign key: those keep the early drop.
  const keyDropped = new Set(
    changes.flatMap((c) => (c.kind === 'pk.drop' || c.kind === 'unique.drop' ? [qualifiedKey(c.table)] : [])),
  );
  const out = new Set<string>();
  for (const c of changes) {
    if (
      c.kind === 'fk.drop' &&
      keyDropped.has(
        qualifiedKey({ schema: c.foreignKey.references.schema, name: c.foreignKey.references.table }),
      )
    )
      continue;
    if ((c.kind === 'fk.drop' || c.kind === 'check.drop') && added.has(constraintKey(c)))
      out.add(constraintKey(c));
  }
  return out;
}

function summarize(changes: readonly Change[]): PlanSummary {
  let add = 0;
  let change = 0;
  let drop = 0;
  // A drop and an add of the same constraint or index are one change to it.
  const replaced = replacedConstraints(changes);
  const replacedIndexes = new Set(
    changes.flatMap((c) =>
      c.kind === 'index.create' && c.replaces ? [memberKey(c.table, c.replaces.name)] : [],
    ),
  );
  for (const c of changes) {
    if ((c.kind === 'fk.add' || c.kind === 'check.add') && replaced.has(constraintKey(c))) continue;
    if ((c.kind === 'fk.drop' || c.kind === 'check.drop') && replaced.has(constraintKey(c))) {
      change++;
      continue;
    }
    if (c.kind === 'index.drop' && replacedIndexes.has(memberKey(c.table, c.index.name))) continue;
    if (c.kind === 'index.create' && c.replaces !== undefined) {
      change++;
      continue;
    }
    const verb = c.kind.split('.')[1] ?? '';
    if (verb === 'create' || verb === 'add') add++;
    else if (verb === 'drop') drop++;
    else change++;
  }
  return { add, change, drop };
}

export function planIsEmpty(plan: Plan): boolean {
  return plan.groups.length === 0;
}
