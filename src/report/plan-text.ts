import type { Plan, Step } from '../plan/types.js';
import { type Palette, palette } from './colors.js';

/** How a step reads at a glance: + adds, ~ changes, - removes. */
export function stepMarker(step: Step): '+' | '~' | '-' {
  const verb = step.change.split('.')[1] ?? '';
  if (verb === 'create' || verb === 'add') return '+';
  if (verb === 'drop') return '-';
  return '~';
}

export function summaryLine(plan: Plan): string {
  const { add, change, drop } = plan.summary;
  const steps = plan.groups.reduce((n, g) => n + g.steps.length, 0);
  return `${add} to add, ${change} to change, ${drop} to drop (${steps} step${steps === 1 ? '' : 's'} in ${plan.groups.length} group${plan.groups.length === 1 ? '' : 's'})`;
}

export function allSteps(plan: Plan): Step[] {
  return plan.groups.flatMap((g) => g.steps);
}

/** Steps grouped by the table they touch (objects outside tables first), in plan order inside a group. */
export function stepsByTable(plan: Plan): [string, Step[]][] {
  const groups = new Map<string, Step[]>();
  for (const step of allSteps(plan)) {
    const key = step.target.table ?? '';
    const list = groups.get(key) ?? [];
    list.push(step);
    groups.set(key, list);
  }
  return [...groups.entries()].sort(([a], [b]) =>
    a === '' ? -1 : b === '' ? 1 : a < b ? -1 : a > b ? 1 : 0,
  );
}

export interface TextOptions {
  readonly color: boolean;
  /** Where the plan was computed against, shown in the header. */
  readonly targetLabel?: string;
}

export function renderPlanText(plan: Plan, options: TextOptions): string {
  const p = palette(options.color);
  const out: string[] = [];
  const target = options.targetLabel ? ` for ${options.targetLabel}` : '';
  if (plan.groups.length === 0) {
    out.push(p.green(`No changes${target}: the database matches the desired state.`));
  } else {
    out.push(`${p.bold(`Plan${target}`)}: ${summaryLine(plan)}`);
    const nonTx = allSteps(plan).filter((s) => !s.transactional).length;
    if (nonTx > 0)
      out.push(
        p.dim(`${nonTx} step${nonTx === 1 ? ' runs' : 's run'} outside a transaction (CONCURRENTLY).`),
      );
    for (const [table, steps] of stepsByTable(plan)) {
      out.push('');
      out.push(p.bold(table === '' ? 'schema objects' : table));
      for (const step of steps) out.push(...renderStep(step, p));
    }
    const hazards = allSteps(plan).flatMap((s) => s.hazards.map((h) => h.code));
    if (hazards.length > 0) {
      const codes = [...new Set(hazards)].sort();
      out.push('');
      out.push(p.yellow(`Hazards to approve at apply: ${codes.join(', ')} (--allow-hazards)`));
    }
  }
  out.push(...renderUnmanaged(plan, p));
  return `${out.join('\n')}\n`;
}

function renderStep(step: Step, p: Palette): string[] {
  const marker = stepMarker(step);
  const colour = marker === '+' ? p.green : marker === '-' ? p.red : p.yellow;
  const lines = [
    `  ${colour(marker)} ${p.dim(`${String(step.n).padStart(3)}.`)} ${step.description} ${p.dim(`[${step.lock}]`)}`,
  ];
  for (const h of step.hazards) {
    const sev = h.severity === 'high' ? p.red : h.severity === 'medium' ? p.yellow : p.dim;
    lines.push(`         ${sev(`! ${h.code}`)} ${p.dim(`(${h.severity})`)} ${h.message}`);
  }
  if (step.precheck) lines.push(`         ${p.cyan('? precheck')} ${step.precheck.message}`);
  return lines;
}

function renderUnmanaged(plan: Plan, p: Palette): string[] {
  if (plan.unmanaged.length === 0) return [];
  const items = plan.unmanaged.map(
    (u) => `${u.kind} ${u.schema}.${u.name}${u.table ? ` on ${u.table}` : ''}`,
  );
  return ['', p.dim(`Not managed by tidemark (left as they are): ${items.join(', ')}`)];
}
