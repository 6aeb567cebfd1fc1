import type { Change } from '../diff/change.js';
import { fingerprint } from '../model/fingerprint.js';
import { memberKey, qualifiedKey } from '../model/keys.js';
import type { IntrospectionResult, Model } from '../model/types.js';
import { groupSteps, orderSteps } from './order.js';
import { type PlanContext, stepsFor } from './steps/index.js';
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
}

/** Turn a diff into an ordered, grouped plan. Pure: same input, same plan. */
export function buildPlan(input: BuildPlanInput): Plan {
  const { live, changes } = input;
  const ctx: PlanContext = {
    stats: new Map(live.tableStats.map((s) => [qualifiedKey(s), s])),
    newTables: new Set(changes.flatMap((c) => (c.kind === 'table.create' ? [qualifiedKey(c.table)] : []))),
    droppedTables: new Set(changes.flatMap((c) => (c.kind === 'table.drop' ? [qualifiedKey(c.table)] : []))),
    serverVersionNum: live.serverVersionNum,
  };
  const droppedColumns = new Set(
    changes.flatMap((c) => (c.kind === 'column.drop' ? [memberKey(c.table, c.column.name)] : [])),
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
    .flatMap((c) => stepsFor(c, ctx));
  const { steps, ownTransaction } = orderSteps(drafts);
  return {
    formatVersion: 1,
    toolVersion: input.toolVersion,
    serverVersionNum: live.serverVersionNum,
    schemas: [...input.schemas].sort(),
    from: { fingerprint: fingerprint(live.model) },
    to: { fingerprint: fingerprint(input.expected) },
    schemaHash: input.schemaHash,
    groups: groupSteps(steps, ownTransaction),
    summary: summarize(changes),
    unmanaged: live.unmanaged,
    approvedHazards: [...(input.approvedHazards ?? [])].sort(),
  };
}

function summarize(changes: readonly Change[]): PlanSummary {
  let add = 0;
  let change = 0;
  let drop = 0;
  for (const c of changes) {
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
