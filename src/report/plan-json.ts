import { stableStringify } from '../model/fingerprint.js';
import type { Plan } from '../plan/types.js';

/** The plan file: stable key order and two-space indentation, so identical inputs give identical bytes. */
export function renderPlanJson(plan: Plan): string {
  return `${JSON.stringify(JSON.parse(stableStringify(plan)), null, 2)}\n`;
}
