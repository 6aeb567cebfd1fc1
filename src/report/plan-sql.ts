import type { Plan } from '../plan/types.js';

/**
 * The plan as a script a person could run with psql: transactional groups in BEGIN … COMMIT, the others
 * bare, each step preceded by what it does, what it locks and its hazards.
 */
export function renderPlanSql(plan: Plan): string {
  const out: string[] = [
    '-- tidemark plan',
    `-- from ${plan.from.fingerprint}`,
    `-- to   ${plan.to.fingerprint}`,
    `-- ${plan.summary.add} to add, ${plan.summary.change} to change, ${plan.summary.drop} to drop`,
  ];
  if (plan.groups.length === 0) out.push('-- no changes');
  plan.groups.forEach((group, g) => {
    out.push('');
    out.push(
      `-- group ${g + 1} of ${plan.groups.length}${group.transactional ? '' : ' (outside a transaction)'}`,
    );
    if (group.transactional) out.push('BEGIN;');
    for (const step of group.steps) {
      out.push(`-- step ${step.n}: ${step.description}`);
      out.push(`--   lock: ${step.lock}`);
      for (const h of step.hazards) out.push(`--   hazard ${h.code} (${h.severity}): ${h.message}`);
      out.push(`${step.sql};`);
    }
    if (group.transactional) out.push('COMMIT;');
  });
  return `${out.join('\n')}\n`;
}
