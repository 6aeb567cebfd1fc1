import type pg from 'pg';
import type { Group, Step } from '../plan/types.js';
import { runBackfill } from './backfill.js';
import { type PostgresErrorInfo, postgresErrorInfo } from './errors.js';
import { dropInvalidIndex, indexStep } from './index-steps.js';
import { markStepCompleted, markStepFailed, markStepStarted } from './ledger.js';
import { pollIndexProgress } from './progress.js';
import { killHookAfterStep } from './test-hooks.js';
import type { ApplyReporter } from './types.js';

/**
 * Running the groups. A transactional group is one `BEGIN … COMMIT` with `SET LOCAL lock_timeout`, its ledger
 * rows written inside it; a non-transactional step runs alone in autocommit, its row marked `started` before
 * and `completed` after. A lock timeout rolls back (or, for a concurrent build, cleans up) and is retried
 * with exponential backoff; any other error is recorded and stops the apply.
 */

// A lock timeout, or a deadlock with application traffic: both leave nothing done and may pass on a retry.
const RETRYABLE: Readonly<Record<string, string>> = { '55P03': 'lock timeout', '40P01': 'deadlock' };

export interface RunContext {
  readonly work: pg.Client;
  readonly workPid: number;
  /** Second connection for index build progress, when the reporter wants it. */
  readonly monitor: pg.Client | null;
  readonly ledger: pg.Client;
  readonly planId: number;
  readonly lockTimeoutMs: number;
  readonly retries: number;
  readonly retryBaseDelayMs: number;
  readonly reporter: ApplyReporter;
  readonly position: (step: Step) => number;
  readonly total: number;
}

/** A step failed for good; its ledger row says so already. */
export class StepFailure extends Error {
  readonly step: Step;
  readonly info: PostgresErrorInfo;
  constructor(step: Step, info: PostgresErrorInfo, cause: unknown) {
    super(info.message, { cause });
    this.step = step;
    this.info = info;
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function backoff(ctx: RunContext, attempt: number): number {
  const base = ctx.retryBaseDelayMs * 2 ** (attempt - 1);
  return Math.min(30_000, Math.round(base * (1 + Math.random() * 0.2)));
}

function rowsAffected(result: pg.QueryResult | pg.QueryResult[]): number | null {
  const all = Array.isArray(result) ? result : [result];
  const counts = all.map((r) => r.rowCount).filter((c): c is number => typeof c === 'number');
  return counts.length > 0 ? counts.reduce((a, b) => a + b, 0) : null;
}

function retryable(error: unknown): string | null {
  const code = (error as { code?: unknown })?.code;
  return typeof code === 'string' ? (RETRYABLE[code] ?? null) : null;
}

export async function runGroup(group: Group, steps: readonly Step[], ctx: RunContext): Promise<void> {
  if (group.transactional) {
    await runTransaction(steps, ctx);
  } else {
    for (const step of steps) await runAlone(step, ctx);
  }
}

async function runTransaction(steps: readonly Step[], ctx: RunContext): Promise<void> {
  const { work, planId } = ctx;
  for (let attempt = 0; ; attempt++) {
    let current: Step | undefined;
    let startedAt = Date.now();
    const durations: number[] = [];
    try {
      await work.query('BEGIN');
      await work.query(`SET LOCAL lock_timeout = ${Math.max(0, Math.round(ctx.lockTimeoutMs))}`);
      for (const step of steps) {
        current = step;
        ctx.reporter.stepStarted(step, ctx.position(step), ctx.total);
        await markStepStarted(work, planId, step);
        startedAt = Date.now();
        const result = await work.query(step.sql);
        const ms = Date.now() - startedAt;
        killHookAfterStep(step.n);
        await markStepCompleted(work, planId, step.n, ms, rowsAffected(result));
        durations.push(ms);
      }
      current = undefined;
      await work.query('COMMIT');
    } catch (error) {
      await work.query('ROLLBACK').catch(() => {});
      const failed = current ?? steps[steps.length - 1]!;
      const why = retryable(error);
      if (why && attempt < ctx.retries) {
        const delay = backoff(ctx, attempt + 1);
        ctx.reporter.stepRetry(failed, attempt + 1, delay, `${why}, rolled back the group`);
        await sleep(delay);
        continue;
      }
      const info = postgresErrorInfo(error);
      await markStepFailed(ctx.ledger, planId, failed, Date.now() - startedAt, info);
      throw new StepFailure(failed, info, error);
    }
    steps.forEach((step, i) => {
      ctx.reporter.stepFinished(step, ctx.position(step), ctx.total, durations[i] ?? 0);
    });
    return;
  }
}

async function runAlone(step: Step, ctx: RunContext): Promise<void> {
  const { work, planId } = ctx;
  const index = indexStep(step);
  ctx.reporter.stepStarted(step, ctx.position(step), ctx.total);
  await markStepStarted(ctx.ledger, planId, step);
  for (let attempt = 0; ; attempt++) {
    const startedAt = Date.now();
    const stopPolling =
      ctx.monitor && index?.kind === 'create'
        ? pollIndexProgress(ctx.monitor, ctx.workPid, step, ctx.reporter)
        : async () => {};
    try {
      await work.query(`SET lock_timeout = ${Math.max(0, Math.round(ctx.lockTimeoutMs))}`);
      const affected = step.batch
        ? await runBackfill(work, step, step.batch, ctx.reporter)
        : rowsAffected(await work.query(step.sql));
      await stopPolling();
      const ms = Date.now() - startedAt;
      killHookAfterStep(step.n);
      await markStepCompleted(ctx.ledger, planId, step.n, ms, affected);
      ctx.reporter.stepFinished(step, ctx.position(step), ctx.total, ms);
      return;
    } catch (error) {
      await stopPolling();
      // A failed concurrent build leaves an INVALID index that would block the next attempt and slow writes.
      let cleanup: string | null = null;
      if (index?.kind === 'create') {
        cleanup = await dropInvalidIndex(work, index.index).then(
          () => null,
          (e: unknown) =>
            `; the INVALID index ${index.index.schema}.${index.index.name} it left could not be dropped: ${postgresErrorInfo(e).message}`,
        );
      }
      const why = retryable(error);
      if (why && attempt < ctx.retries && cleanup === null) {
        const delay = backoff(ctx, attempt + 1);
        ctx.reporter.stepRetry(step, attempt + 1, delay, why);
        await sleep(delay);
        continue;
      }
      const base = postgresErrorInfo(error);
      const info = cleanup ? { ...base, message: base.message + cleanup } : base;
      await markStepFailed(ctx.ledger, planId, step, Date.now() - startedAt, info);
      throw new StepFailure(step, info, error);
    }
  }
}
