import type pg from 'pg';
import type { Step } from '../plan/types.js';
import { dropInvalidIndex, indexState, indexStep } from './index-steps.js';
import { markStepCompleted, type StepRow } from './ledger.js';
import type { ApplyReporter } from './types.js';

/**
 * Picking up after a crash or a failed step. Transactional groups need nothing: their ledger rows committed
 * with them, so `completed` is exact. What needs a look is a non-transactional step the ledger shows as
 * started (or failed) but not completed: the statement may have finished, half-finished, or never run.
 */

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * End backends of earlier applies on this database. We hold the advisory lock, so their process is gone; but
 * PostgreSQL notices a vanished client only when it next talks to it, and a long build would otherwise run on
 * (and hold its locks) under our feet.
 */
export async function endOrphanedWork(client: pg.Client, reporter: ApplyReporter): Promise<void> {
  const query = `select pid from pg_stat_activity
    where datname = current_database() and pid <> pg_backend_pid() and application_name like 'tidemark apply work%'`;
  const { rows } = await client.query<{ pid: number }>(query);
  if (rows.length === 0) return;
  for (const { pid } of rows) {
    reporter.info(`ending server process ${pid} left running by an apply that died`);
    await client.query('select pg_terminate_backend($1)', [pid]);
  }
  for (let i = 0; i < 100; i++) {
    const left = await client.query(query);
    if (left.rowCount === 0) return;
    await sleep(100);
  }
}

/** Returns the steps that can count as completed now; may drop an INVALID index so its build can run again. */
export async function reconcileUnfinished(
  work: pg.Client,
  ledger: pg.Client,
  planId: number,
  steps: readonly Step[],
  rows: ReadonlyMap<number, StepRow>,
  reporter: ApplyReporter,
): Promise<Set<number>> {
  const done = new Set<number>();
  for (const step of steps) {
    const row = rows.get(step.n);
    if (!row) continue;
    if (row.status === 'completed') {
      done.add(step.n);
      continue;
    }
    if (step.transactional) continue;
    const index = indexStep(step);
    if (!index) continue;
    const state = await indexState(work, index.index);
    const name = `${index.index.schema}.${index.index.name}`;
    if (index.kind === 'create' && state === 'valid' && row.status === 'started') {
      reporter.info(`step ${step.n}: index ${name} was built before the interruption; marking it completed`);
      await markStepCompleted(ledger, planId, step.n, null, null);
      done.add(step.n);
    } else if (index.kind === 'create' && state === 'invalid') {
      reporter.info(`step ${step.n}: dropping the INVALID index ${name} left by an interrupted build`);
      await dropInvalidIndex(work, index.index);
    } else if (index.kind === 'drop' && state === 'missing' && row.status === 'started') {
      reporter.info(
        `step ${step.n}: index ${name} was dropped before the interruption; marking it completed`,
      );
      await markStepCompleted(ledger, planId, step.n, null, null);
      done.add(step.n);
    }
  }
  return done;
}
