import type pg from 'pg';
import { serverVersionNum } from '../db/connect.js';
import type { Plan } from '../plan/types.js';
import { TOOL_VERSION } from '../version.js';
import { acquireApplyLock, applicationName } from './advisory-lock.js';
import { StalePlanError } from './errors.js';
import { executeRun } from './execute.js';
import { checkHazards } from './hazard-gate.js';
import {
  deadRunsOfOtherPlans,
  ensureLedger,
  finishRun,
  insertRun,
  latestRun,
  ledgerExists,
  markRunning,
  type RunRow,
  stepRows,
} from './ledger.js';
import { planHash, planSteps } from './plan-hash.js';
import { silentReporter } from './progress.js';
import { prepareSnapshot, type SnapshotContext, takeSnapshot } from './snapshot.js';
import type { ApplyOptions, ApplyReporter, ApplyResult, SnapshotRecord } from './types.js';

/**
 * Apply a plan: hazard gate → advisory lock → fingerprint check (or resume) → snapshot → ledger → groups in
 * order → verify. Everything that can refuse runs before the first change; after it, the ledger in the
 * target database says exactly how far the apply got, and running the same plan again continues from there.
 */
export async function applyPlan(plan: Plan, options: ApplyOptions): Promise<ApplyResult> {
  const started = Date.now();
  const reporter = options.reporter ?? silentReporter;
  const allowed = [...new Set([...plan.approvedHazards, ...options.allowHazards])].sort();
  checkHazards(plan, options.allowHazards);
  const steps = planSteps(plan);
  const hash = planHash(plan);
  const lockWaitMs = options.lockWaitMs ?? 5000;

  let lock = await acquireApplyLock(options.targetUrl, lockWaitMs);
  try {
    const serverMajor = Math.floor((await serverVersionNum(lock.client)) / 10000);
    const hasLedger = await ledgerExists(lock.client);
    let resume = hasLedger ? await resumableRun(lock.client, hash, plan, options, reporter) : null;
    if (!resume) await checkFresh(lock.client, hasLedger, hash, plan, options);

    if (steps.length === 0 && !resume) {
      return {
        planId: null,
        resumed: false,
        stepsRun: 0,
        stepsSkipped: 0,
        totalSteps: 0,
        snapshot: {
          kind: 'none',
          location: null,
          sha256: null,
          note: 'no snapshot: nothing to change',
          restore: [],
        },
        fingerprint: plan.to.fingerprint,
        durationMs: Date.now() - started,
      };
    }

    let planId: number;
    let snapshot: SnapshotRecord;
    if (resume) {
      planId = resume.id;
      snapshot = resume.snapshot;
      await markRunning(lock.client, planId);
      reporter.info(
        `resuming apply #${planId} of this plan (started ${resume.startedAt.toISOString()}, ${resume.status}); ` +
          `snapshot: ${snapshot.location ?? snapshot.note}`,
      );
    } else {
      const ctx: SnapshotContext = {
        url: options.targetUrl,
        serverMajor,
        planHash: hash,
        snapshotDir: options.config.snapshotDir,
        env: options.env ?? process.env,
      };
      const prepared = await prepareSnapshot(options.snapshot, ctx);
      if (prepared.kind === 'template') {
        // The copy needs the database to itself: let go of our connection (and the lock) for the copy, then
        // take the lock again and make sure nobody changed the schema in between.
        await lock.release();
        reporter.info('copying the database as the snapshot (CREATE DATABASE … TEMPLATE)');
        snapshot = await takeSnapshot(prepared, ctx);
        lock = await acquireApplyLock(options.targetUrl, lockWaitMs);
        await checkFresh(lock.client, await ledgerExists(lock.client), hash, plan, options);
      } else {
        snapshot = await takeSnapshot(prepared, ctx);
      }
      reportSnapshot(snapshot, reporter);
      await ensureLedger(lock.client);
      for (const dead of await deadRunsOfOtherPlans(lock.client, hash)) {
        await finishRun(lock.client, dead.id, 'abandoned', {
          error: 'the apply process ended without finishing; a later apply of another plan took over',
        });
        reporter.info(`apply #${dead.id} of another plan never finished; marked abandoned in the ledger`);
      }
      planId = await insertRun(lock.client, {
        plan,
        hash,
        toolVersion: TOOL_VERSION,
        snapshot,
        approvedHazards: allowed,
        client: applicationName('lock'),
        totalSteps: steps.length,
      });
      resume = null;
    }
    return await executeRun(
      { plan, steps, planId, snapshot, resumed: resume !== null, started },
      lock,
      options,
      reporter,
    );
  } finally {
    await lock.release();
  }
}

/** The unfinished run of this same plan, if any, unless the database is back where the plan starts. */
async function resumableRun(
  client: pg.Client,
  hash: string,
  plan: Plan,
  options: ApplyOptions,
  reporter: ApplyReporter,
): Promise<RunRow | null> {
  const run = await latestRun(client, hash);
  if (!run || run.status === 'completed' || run.status === 'abandoned') return null;
  const rows = await stepRows(client, run.id);
  const touched = [...rows.values()].some((r) => r.status !== 'failed');
  if (touched && plan.from.fingerprint !== plan.to.fingerprint) {
    const live = await options.currentFingerprint();
    if (live === plan.from.fingerprint) {
      // Steps are recorded as done, yet the schema is the plan's starting point: it was restored (from the
      // snapshot, say). Resuming would skip work that no longer exists; start over instead.
      await finishRun(client, run.id, 'abandoned', {
        error: 'the database was found back at the plan starting point (restored?); a new apply started over',
      });
      reporter.info(
        `apply #${run.id} is unfinished but the database is back at the plan's start; starting over`,
      );
      return null;
    }
  }
  return run;
}

async function checkFresh(
  client: pg.Client,
  hasLedger: boolean,
  hash: string,
  plan: Plan,
  options: ApplyOptions,
): Promise<void> {
  const live = await options.currentFingerprint();
  if (live === plan.from.fingerprint) return;
  const previous = hasLedger ? await latestRun(client, hash) : null;
  const already =
    previous?.status === 'completed' && live === plan.to.fingerprint
      ? ` this plan was already applied (apply #${previous.id}, finished ${previous.finishedAt?.toISOString()}).`
      : '';
  throw new StalePlanError(
    `the database changed since the plan was made: the plan starts from ${plan.from.fingerprint} but the ` +
      `database is now ${live}.${already} nothing was changed; plan again`,
    plan.from.fingerprint,
    live,
  );
}

function reportSnapshot(snapshot: SnapshotRecord, reporter: ApplyReporter): void {
  switch (snapshot.kind) {
    case 'none':
      reporter.info(snapshot.note);
      return;
    case 'pg_dump':
      reporter.info(`snapshot: ${snapshot.location}\n  sha256: ${snapshot.sha256}\n  ${snapshot.note}`);
      break;
    case 'template':
      reporter.info(`snapshot: ${snapshot.note}`);
      break;
  }
  reporter.info(`  restore with:\n${snapshot.restore.map((l) => `    ${l}`).join('\n')}`);
}
