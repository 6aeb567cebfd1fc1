import { sha256, stableStringify } from '../model/fingerprint.js';
import type { Plan, Step } from '../plan/types.js';

/** Identity of a plan in the ledger: equal plans (same file, or the same inputs planned again) hash equal. */
export function planHash(plan: Plan): string {
  return `sha256:${sha256(stableStringify(plan))}`;
}

export function planSteps(plan: Plan): Step[] {
  return plan.groups.flatMap((g) => g.steps);
}
