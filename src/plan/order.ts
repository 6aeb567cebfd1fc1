import type { StepDraft } from './steps/index.js';
import type { Group, Phase, Step } from './types.js';

/**
 * Coarse phases carry the dependency order: everything a statement needs is created in an earlier phase (or
 * earlier in the same phase by rank) and everything that depends on a dropped object is dropped first.
 * Inside a phase and rank, steps keep the order the diff produced them in, which is sorted by object key, so
 * the same inputs always give the same plan.
 */
export const PHASES: readonly Phase[] = [
  'pre',
  'schemas',
  'extensions',
  'types',
  'sequences',
  'drop-dependents',
  'tables',
  'columns',
  'constraints',
  'indexes',
  'foreign-keys',
  'validate',
  'drop-relations',
  'drop-types',
  'comments',
  'post',
];

export function orderSteps(drafts: readonly StepDraft[]): { steps: Step[]; ownTransaction: Set<number> } {
  const phaseIndex = new Map(PHASES.map((p, i) => [p, i]));
  const sorted = drafts
    .map((d, i) => ({ d, i }))
    .sort(
      (a, b) => phaseIndex.get(a.d.phase)! - phaseIndex.get(b.d.phase)! || a.d.rank - b.d.rank || a.i - b.i,
    );
  const ownTransaction = new Set(sorted.flatMap(({ d }, i) => (d.ownTransaction ? [i + 1] : [])));
  const steps = sorted.map(({ d }, i) => ({
    n: i + 1,
    change: d.change,
    target: d.target,
    description: d.description,
    sql: d.sql,
    phase: d.phase,
    transactional: d.transactional,
    lock: d.lock,
    hazards: d.hazards,
    precheck: null,
    ...(d.batch ? { batch: d.batch } : {}),
  }));
  return { steps, ownTransaction };
}

/**
 * Pack steps into transaction groups: consecutive catalog changes share one short transaction (all or
 * nothing); a step that cannot run in a transaction, or that must commit on its own (a validating scan, an
 * enum value later steps use), gets a group of its own.
 */
export function groupSteps(steps: readonly Step[], ownTransaction: ReadonlySet<number>): Group[] {
  const groups: Group[] = [];
  let current: Step[] = [];
  const flush = () => {
    if (current.length > 0) groups.push({ transactional: true, steps: current });
    current = [];
  };
  for (const step of steps) {
    if (!step.transactional || ownTransaction.has(step.n)) {
      flush();
      groups.push({ transactional: step.transactional, steps: [step] });
    } else current.push(step);
  }
  flush();
  return groups;
}
