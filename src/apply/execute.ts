import type pg from 'pg';
import { connect } from '../db/connect.js';
import type { Plan, Step } from '../plan/types.js';
import { type ApplyLock, applicationName } from './advisory-lock.js';
import { ApplyError, formatPostgresError, VerificationError } from './errors.js';
import { finishRun, stepRows } from './ledger.js';
import { endOrphanedWork, reconcileUnfinished } from './resume.js';
import { runGroup, StepFailure } from './run-steps.js';
import type { ApplyOptions, ApplyReporter, ApplyResult, SnapshotRecord } from './types.js';

/**
 * The part of apply after the ledger row exists: groups in order (skipping what the ledger says is done),
 * then verification. Every way out updates the run's row, so `tidemark.plans` never says `running` for an
 * apply that ended (only for one that was killed).
 */

export interface Run {
  readonly plan: Plan;
  readonly steps: readonly Step[];
  readonly planId: number;
  readonly snapshot: SnapshotRecord;
  readonly resumed: boolean;
  readonly started: number;
}

class Interrupted extends Error {}

async function openWork(url: string): Promise<{ client: pg.Client; pid: number }> {
  const client = await connect(url);
  try {
    await client.query('select set_config($1, $2, false)', ['application_name', applicationName('work')]);
    await client.query('SET statement_timeout = 0');
    // Without this a build keeps running on the server after our process is killed (PostgreSQL 14+).
    await client.query("SET client_connection_check_interval = '1s'").catch(() => {});
    const { rows } = await client.query<{ pid: number }>('select pg_backend_pid() as pid');
    return { client, pid: rows[0]!.pid };
  } catch (error) {
    await client.end().catch(() => {});
    throw error;
  }
}

export async function executeRun(
  run: Run,
  lock: ApplyLock,
  options: ApplyOptions,
  reporter: ApplyReporter,
): Promise<ApplyResult> {
  const { plan, steps, planId } = run;
  const ledger = lock.client;
  const positions = new Map(steps.map((s, i) => [s.n, i + 1]));
  const done = new Set<number>();
  let work: { client: pg.Client; pid: number } | null = null;
  let monitor: pg.Client | null = null;
  try {
    await endOrphanedWork(ledger, reporter);
    work = await openWork(options.targetUrl);
    monitor = reporter.wantsIndexProgress ? await connect(options.targetUrl).catch(() => null) : null;
    await work.client.query(`SET lock_timeout = ${Math.round(options.config.lockTimeoutMs)}`);
    if (run.resumed) {
      const rows = await stepRows(ledger, planId);
      for (const n of await reconcileUnfinished(work.client, ledger, planId, steps, rows, reporter))
        done.add(n);
    }
    const skipped = done.size;
    let stepsRun = 0;
    for (const group of plan.groups) {
      const todo = group.steps.filter((s) => !done.has(s.n));
      for (const s of group.steps) {
        if (done.has(s.n))
          reporter.stepSkipped(s, positions.get(s.n) ?? 0, steps.length, 'completed earlier');
      }
      if (todo.length === 0) continue;
      if (options.signal?.aborted)
        throw new Interrupted(`interrupted before step ${positions.get(todo[0]!.n)}`);
      await runGroup(group, todo, {
        work: work.client,
        workPid: work.pid,
        monitor,
        ledger,
        planId,
        lockTimeoutMs: options.config.lockTimeoutMs,
        retries: options.config.retries,
        retryBaseDelayMs: options.retryBaseDelayMs ?? 500,
        reporter,
        position: (s) => positions.get(s.n) ?? 0,
        total: steps.length,
      });
      for (const s of todo) done.add(s.n);
      stepsRun += todo.length;
    }
    const live = await options.currentFingerprint();
    if (live !== plan.to.fingerprint) {
      const message =
        `every step ran, but the database does not match the plan's result: expected ${plan.to.fingerprint}, ` +
        `found ${live}; run tidemark drift to see the difference (apply #${planId} in tidemark.plans)`;
      await finishRun(ledger, planId, 'verification_failed', { error: message, finalFingerprint: live });
      throw new VerificationError(message, planId, plan.to.fingerprint, live);
    }
    await finishRun(ledger, planId, 'completed', { finalFingerprint: live });
    return {
      planId,
      resumed: run.resumed,
      stepsRun,
      stepsSkipped: skipped,
      totalSteps: steps.length,
      snapshot: run.snapshot,
      fingerprint: live,
      durationMs: Date.now() - run.started,
    };
  } catch (error) {
    if (error instanceof VerificationError) throw error;
    throw await recordFailure(error, run, done.size, ledger, positions);
  } finally {
    await work?.client.end().catch(() => {});
    await monitor?.end().catch(() => {});
  }
}

async function recordFailure(
  error: unknown,
  run: Run,
  completed: number,
  ledger: pg.Client,
  positions: ReadonlyMap<number, number>,
): Promise<ApplyError> {
  const { planId, steps } = run;
  const total = steps.length;
  const progress = { planId, completedSteps: completed, totalSteps: total };
  if (error instanceof StepFailure) {
    const { step, info } = error;
    const where = `step ${positions.get(step.n) ?? step.n} of ${total} (${step.change} ${step.target.name})`;
    await finishRun(ledger, planId, 'failed', { error: `${where}: ${formatPostgresError(info)}` }).catch(
      () => {},
    );
    return new ApplyError(
      `${where} failed: ${formatPostgresError(info)}\n  sql: ${step.sql}\n` +
        `${completed} of ${total} steps are completed (apply #${planId} in tidemark.plans); ` +
        'fix the cause and run the same apply again to continue from this step',
      { ...progress, failedStep: step.n, failedSql: step.sql, postgres: info },
      { cause: error },
    );
  }
  const text = error instanceof Error ? error.message : String(error);
  await finishRun(ledger, planId, 'failed', { error: text }).catch(() => {});
  return new ApplyError(
    `apply #${planId} stopped after ${completed} of ${total} steps: ${text}; run the same apply again to continue`,
    { ...progress, failedStep: null, failedSql: null, postgres: null },
    { cause: error },
  );
}
