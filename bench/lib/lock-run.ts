import { applyPlan } from '../../src/apply/apply-plan.js';
import { resolveConfig } from '../../src/config/config.js';
import { introspect } from '../../src/introspect/index.js';
import { fingerprint } from '../../src/model/fingerprint.js';
import { planForTarget } from '../../src/plan/create.js';
import type { HazardCode, Plan } from '../../src/plan/types.js';
import { LOCK_PARENTS, LOCK_TABLE } from './lock-fixture.js';
import { startWriter, summarise, type WriterStats } from './writer.js';

export interface LockRun {
  /** Every writer statement, from start to stop. */
  readonly writer: WriterStats;
  /** Only the statements that overlapped the change. */
  readonly during: WriterStats;
  readonly changeMs: number;
}

/**
 * Run `change` while the concurrent writer works on the lock table: the writer starts first and has run a
 * while before the change begins, and runs on a little after it ends.
 */
export async function withWriter(
  url: string,
  rows: number,
  change: () => Promise<void>,
  limits: { maxMs: number; maxStatements: number } = { maxMs: 60_000, maxStatements: 50_000 },
): Promise<LockRun> {
  const writer = startWriter({
    url,
    table: LOCK_TABLE,
    rows,
    firstInsertId: rows + 1_000_000,
    parents: LOCK_PARENTS,
    pauseMs: 5,
    ...limits,
  });
  await writer.ready;
  await new Promise((r) => setTimeout(r, 300));
  const from = performance.now() - writer.startedAt;
  let to = from;
  let stats: WriterStats;
  try {
    await change();
  } finally {
    to = performance.now() - writer.startedAt;
    await new Promise((r) => setTimeout(r, 300));
    stats = await writer.stop();
  }
  const during = stats.samples.filter((s) => s.at < to && s.at + s.ms > from);
  return { writer: stats, during: summarise(during, [], to - from), changeMs: to - from };
}

/** `tidemark plan` of `schemaDir` against `url` (no prechecks: the plan, not its checks, is measured). */
export async function planLockChange(url: string, schemaDir: string): Promise<Plan> {
  const config = resolveConfig({ db: url, schemaDir, schemas: 'public' }, {}, schemaDir);
  const { plan } = await planForTarget({ config, targetUrl: url, prechecks: false, allowHazards: [] });
  return plan;
}

export function hazardsOf(plan: Plan): HazardCode[] {
  return [
    ...new Set(plan.groups.flatMap((g) => g.steps.flatMap((s) => s.hazards.map((h) => h.code)))),
  ].sort();
}

/** `tidemark apply` of a plan, with its hazards approved, no snapshot, and the given lock_timeout. */
export async function applyWithTimeout(url: string, plan: Plan, lockTimeoutMs: number): Promise<void> {
  await applyPlan(plan, {
    targetUrl: url,
    config: { lockTimeoutMs, retries: 5, snapshotDir: '/nonexistent' },
    allowHazards: hazardsOf(plan),
    snapshot: { kind: 'none', reason: 'lock benchmark' },
    currentFingerprint: async () => fingerprint((await introspect(url, { schemas: plan.schemas })).model),
  });
}
