import type { HazardCode, Plan } from '../plan/types.js';
import { HazardNotAllowedError, type RefusedHazard } from './errors.js';

/** A precheck found rows that make the step fail: no flag makes running it sensible. */
const NEVER_ALLOWED: ReadonlySet<HazardCode> = new Set(['WILL_FAIL_ON_DATA']);

/**
 * Refuse a plan whose steps carry a hazard that neither the plan file nor the caller approved. Pure: runs
 * before any connection, so a refused plan changes nothing.
 */
export function checkHazards(plan: Plan, allowHazards: readonly HazardCode[]): void {
  const allowed = new Set<HazardCode>([...plan.approvedHazards, ...allowHazards]);
  const refused: RefusedHazard[] = [];
  for (const group of plan.groups) {
    for (const step of group.steps) {
      for (const hazard of step.hazards) {
        if (NEVER_ALLOWED.has(hazard.code) || !allowed.has(hazard.code)) {
          refused.push({
            step: step.n,
            change: step.change,
            target: step.target.name,
            code: hazard.code,
            message: hazard.message,
          });
        }
      }
    }
  }
  if (refused.length === 0) return;
  const lines = refused.map((r) => `  step ${r.step} ${r.change} ${r.target}: ${r.code}: ${r.message}`);
  const blocking = [...new Set(refused.filter((r) => NEVER_ALLOWED.has(r.code)).map((r) => r.code))];
  const approvable = [...new Set(refused.filter((r) => !NEVER_ALLOWED.has(r.code)).map((r) => r.code))];
  const next: string[] = [];
  if (blocking.length > 0) {
    next.push(`${blocking.join(', ')} cannot be allowed: fix the rows the precheck found, then plan again`);
  }
  if (approvable.length > 0) {
    next.push(`to accept the rest, pass --allow-hazards ${approvable.sort().join(',')}`);
  }
  throw new HazardNotAllowedError(
    `refusing to apply: ${refused.length} hazard${refused.length === 1 ? '' : 's'} not approved\n` +
      `${lines.join('\n')}\n${next.join('; ')}`,
    refused,
  );
}
