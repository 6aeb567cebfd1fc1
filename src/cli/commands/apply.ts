import { createInterface } from 'node:readline/promises';
import { applyPlan } from '../../apply/apply-plan.js';
import { StalePlanError } from '../../apply/errors.js';
import { checkHazards } from '../../apply/hazard-gate.js';
import { readPlanFile } from '../../apply/plan-file.js';
import { createReporter } from '../../apply/progress.js';
import type { SnapshotMode } from '../../apply/types.js';
import { openTarget } from '../../db/connect.js';
import { InputError } from '../../errors.js';
import { introspect } from '../../introspect/index.js';
import { fingerprint } from '../../model/fingerprint.js';
import { planForTarget } from '../../plan/create.js';
import type { Plan } from '../../plan/types.js';
import { colorEnabled } from '../../report/colors.js';
import { renderPlanText } from '../../report/plan-text.js';
import { TOOL_VERSION } from '../../version.js';
import { configFromOptions, parseHazardList } from '../options.js';
import type { CommandContext } from '../run.js';

/**
 * `tidemark apply`: a saved plan exactly as reviewed, or a fresh plan of the schema directory after the
 * user has seen it and said yes. The engine (src/apply) does the rest; this file only gathers flags, asks,
 * and prints.
 */

async function confirm(ctx: CommandContext, question: string): Promise<boolean> {
  const rl = createInterface({ input: process.stdin, output: ctx.stdout });
  try {
    const answer = await rl.question(question);
    return /^y(es)?$/i.test(answer.trim());
  } finally {
    rl.close();
  }
}

function stepCount(plan: Plan): number {
  return plan.groups.reduce((n, g) => n + g.steps.length, 0);
}

export async function run(ctx: CommandContext): Promise<number> {
  const o = ctx.options;
  const config = configFromOptions(o);
  const allowHazards = parseHazardList(o.allowHazards);
  const planFile = typeof o.plan === 'string' ? o.plan : null;
  const saved = planFile ? readPlanFile(planFile, TOOL_VERSION) : null;
  const target = await openTarget(config);
  const abort = new AbortController();
  const onSigint = () => {
    ctx.stderr.write('\ninterrupted: stopping after the current step (the ledger will say where)\n');
    abort.abort(new Error('interrupted'));
  };
  try {
    const plan =
      saved ??
      (await planForTarget({ config, targetUrl: target.url, prechecks: o.prechecks !== false, allowHazards }))
        .plan;
    ctx.stdout.write(renderPlanText(plan, { color: colorEnabled(ctx.stdout), targetLabel: target.label }));
    if (!saved && plan.groups.length === 0) return 0;

    // Refuse an unapproved hazard before asking anyone anything.
    checkHazards(plan, allowHazards);
    // A saved plan was reviewed when it was saved; a plan made just now is confirmed by whoever runs apply.
    if (!saved && o.yes !== true) {
      if (!process.stdin.isTTY || !ctx.stdout.isTTY) {
        throw new InputError('refusing to apply without confirmation: pass --yes');
      }
      const n = stepCount(plan);
      if (!(await confirm(ctx, `\napply ${n} step${n === 1 ? '' : 's'} to ${target.label}? [y/N] `))) {
        ctx.stderr.write('not applied\n');
        return 1;
      }
    }

    const snapshot: SnapshotMode =
      o.snapshot === false
        ? { kind: 'none', reason: '--no-snapshot given' }
        : { kind: 'pg_dump', templateFallback: target.embedded };
    process.once('SIGINT', onSigint);
    const result = await applyPlan(plan, {
      targetUrl: target.url,
      config,
      allowHazards,
      snapshot,
      currentFingerprint: async () =>
        fingerprint((await introspect(target.url, { schemas: plan.schemas, ignore: config.ignore })).model),
      reporter: createReporter(ctx.stdout),
      signal: abort.signal,
    });
    const ran = result.resumed
      ? `resumed apply #${result.planId}: ran ${result.stepsRun} step(s), ${result.stepsSkipped} completed earlier`
      : `applied ${result.stepsRun} step(s)`;
    ctx.stdout.write(
      `${ran} in ${(result.durationMs / 1000).toFixed(1)} s; verified: the database matches the plan ` +
        `(${result.fingerprint})\n`,
    );
    return 0;
  } catch (error) {
    if (error instanceof StalePlanError && saved) {
      ctx.stderr.write(
        'the saved plan no longer fits this database; run tidemark plan to see what differs now, and save a new plan\n',
      );
    }
    throw error;
  } finally {
    process.removeListener('SIGINT', onSigint);
    await target.close();
  }
}
