import type pg from 'pg';
import type { Plan, Step } from '../plan/types.js';
import type { PostgresErrorInfo } from './errors.js';
import type { SnapshotRecord } from './types.js';

/**
 * The ledger: schema `tidemark` in the target database, the migration log every team in the field kept by
 * hand. Transactional steps write their rows inside the group's own transaction, so after a crash a committed
 * group's steps read `completed` and an uncommitted group left no row at all. Never holds a password.
 */

export const LEDGER_SCHEMA = 'tidemark';

export type RunStatus = 'running' | 'completed' | 'failed' | 'verification_failed' | 'abandoned';
export type StepStatus = 'started' | 'completed' | 'failed';

const DDL = `
CREATE SCHEMA IF NOT EXISTS tidemark;
CREATE TABLE IF NOT EXISTS tidemark.plans (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  plan_hash text NOT NULL,
  from_fingerprint text NOT NULL,
  to_fingerprint text NOT NULL,
  tool_version text NOT NULL,
  status text NOT NULL CHECK (status IN ('running', 'completed', 'failed', 'verification_failed', 'abandoned')),
  started_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  finished_at timestamptz,
  snapshot_kind text NOT NULL CHECK (snapshot_kind IN ('pg_dump', 'template', 'none')),
  snapshot_location text,
  snapshot_sha256 text,
  snapshot_note text NOT NULL,
  approved_hazards text[] NOT NULL,
  applied_by text NOT NULL DEFAULT current_user,
  client text,
  total_steps integer NOT NULL,
  final_fingerprint text,
  error text,
  plan jsonb NOT NULL
);
CREATE INDEX IF NOT EXISTS plans_plan_hash_idx ON tidemark.plans (plan_hash);
CREATE TABLE IF NOT EXISTS tidemark.steps (
  plan_id bigint NOT NULL REFERENCES tidemark.plans (id),
  n integer NOT NULL,
  change text NOT NULL,
  target text NOT NULL,
  sql text NOT NULL,
  transactional boolean NOT NULL,
  status text NOT NULL CHECK (status IN ('started', 'completed', 'failed')),
  attempts integer NOT NULL DEFAULT 1,
  started_at timestamptz NOT NULL,
  finished_at timestamptz,
  duration_ms integer,
  rows_affected bigint,
  error text,
  error_sqlstate text,
  error_detail text,
  PRIMARY KEY (plan_id, n)
);`;

export async function ensureLedger(client: pg.Client): Promise<void> {
  await client.query(DDL);
}

export async function ledgerExists(client: pg.Client): Promise<boolean> {
  const { rows } = await client.query<{ ok: boolean }>(
    "select to_regclass('tidemark.steps') is not null and to_regclass('tidemark.plans') is not null as ok",
  );
  return rows[0]?.ok === true;
}

export interface RunRow {
  readonly id: number;
  readonly planHash: string;
  readonly status: RunStatus;
  readonly startedAt: Date;
  readonly finishedAt: Date | null;
  readonly snapshot: SnapshotRecord;
}

interface RawRun {
  id: string;
  plan_hash: string;
  status: RunStatus;
  started_at: Date;
  finished_at: Date | null;
  snapshot_kind: SnapshotRecord['kind'];
  snapshot_location: string | null;
  snapshot_sha256: string | null;
  snapshot_note: string;
}

const RUN_COLUMNS =
  'id, plan_hash, status, started_at, finished_at, snapshot_kind, snapshot_location, snapshot_sha256, snapshot_note';

function toRun(r: RawRun): RunRow {
  return {
    id: Number(r.id),
    planHash: r.plan_hash,
    status: r.status,
    startedAt: r.started_at,
    finishedAt: r.finished_at,
    snapshot: {
      kind: r.snapshot_kind,
      location: r.snapshot_location,
      sha256: r.snapshot_sha256,
      note: r.snapshot_note,
      restore: [],
    },
  };
}

/** The latest run of this plan, whatever its status. */
export async function latestRun(client: pg.Client, hash: string): Promise<RunRow | null> {
  const { rows } = await client.query<RawRun>(
    `select ${RUN_COLUMNS} from tidemark.plans where plan_hash = $1 order by id desc limit 1`,
    [hash],
  );
  return rows[0] ? toRun(rows[0]) : null;
}

/** Runs of other plans still marked running: their process died (we hold the lock now). */
export async function deadRunsOfOtherPlans(client: pg.Client, hash: string): Promise<RunRow[]> {
  const { rows } = await client.query<RawRun>(
    `select ${RUN_COLUMNS} from tidemark.plans where status = 'running' and plan_hash <> $1 order by id`,
    [hash],
  );
  return rows.map(toRun);
}

export async function insertRun(
  client: pg.Client,
  run: {
    plan: Plan;
    hash: string;
    toolVersion: string;
    snapshot: SnapshotRecord;
    approvedHazards: readonly string[];
    client: string;
    totalSteps: number;
  },
): Promise<number> {
  const { rows } = await client.query<{ id: string }>(
    `insert into tidemark.plans (plan_hash, from_fingerprint, to_fingerprint, tool_version, status,
       snapshot_kind, snapshot_location, snapshot_sha256, snapshot_note, approved_hazards, client, total_steps, plan)
     values ($1, $2, $3, $4, 'running', $5, $6, $7, $8, $9, $10, $11, $12) returning id`,
    [
      run.hash,
      run.plan.from.fingerprint,
      run.plan.to.fingerprint,
      run.toolVersion,
      run.snapshot.kind,
      run.snapshot.location,
      run.snapshot.sha256,
      run.snapshot.note,
      run.approvedHazards,
      run.client,
      run.totalSteps,
      JSON.stringify(run.plan),
    ],
  );
  return Number(rows[0]?.id);
}

export async function markRunning(client: pg.Client, id: number): Promise<void> {
  await client.query(
    "update tidemark.plans set status = 'running', finished_at = null, error = null where id = $1",
    [id],
  );
}

export async function finishRun(
  client: pg.Client,
  id: number,
  status: Exclude<RunStatus, 'running'>,
  details: { error?: string | null; finalFingerprint?: string | null } = {},
): Promise<void> {
  await client.query(
    `update tidemark.plans set status = $2, finished_at = clock_timestamp(), error = $3,
       final_fingerprint = coalesce($4, final_fingerprint) where id = $1`,
    [id, status, details.error ?? null, details.finalFingerprint ?? null],
  );
}

export interface StepRow {
  readonly n: number;
  readonly status: StepStatus;
  readonly attempts: number;
}

export async function stepRows(client: pg.Client, planId: number): Promise<Map<number, StepRow>> {
  const { rows } = await client.query<{ n: number; status: StepStatus; attempts: number }>(
    'select n, status, attempts from tidemark.steps where plan_id = $1 order by n',
    [planId],
  );
  return new Map(rows.map((r) => [r.n, r]));
}

export async function markStepStarted(client: pg.Client, planId: number, step: Step): Promise<void> {
  await client.query(
    `insert into tidemark.steps (plan_id, n, change, target, sql, transactional, status, attempts, started_at)
     values ($1, $2, $3, $4, $5, $6, 'started', 1, clock_timestamp())
     on conflict (plan_id, n) do update set status = 'started', attempts = tidemark.steps.attempts + 1,
       started_at = clock_timestamp(), finished_at = null, duration_ms = null, rows_affected = null,
       error = null, error_sqlstate = null, error_detail = null`,
    [planId, step.n, step.change, step.target.name, step.sql, step.transactional],
  );
}

export async function markStepCompleted(
  client: pg.Client,
  planId: number,
  n: number,
  durationMs: number | null,
  rowsAffected: number | null,
): Promise<void> {
  await client.query(
    `update tidemark.steps set status = 'completed', finished_at = clock_timestamp(), duration_ms = $3,
       rows_affected = $4 where plan_id = $1 and n = $2`,
    [planId, n, durationMs === null ? null : Math.round(durationMs), rowsAffected],
  );
}

/** Record a failure; inserts the row when the failed attempt's own row was rolled back with its group. */
export async function markStepFailed(
  client: pg.Client,
  planId: number,
  step: Step,
  durationMs: number,
  error: PostgresErrorInfo,
): Promise<void> {
  await client.query(
    `insert into tidemark.steps (plan_id, n, change, target, sql, transactional, status, attempts, started_at,
       finished_at, duration_ms, error, error_sqlstate, error_detail)
     values ($1, $2, $3, $4, $5, $6, 'failed', 1, clock_timestamp() - make_interval(secs => $7::float8 / 1000),
       clock_timestamp(), $7, $8, $9, $10)
     on conflict (plan_id, n) do update set status = 'failed', finished_at = clock_timestamp(),
       duration_ms = $7, error = $8, error_sqlstate = $9, error_detail = $10,
       attempts = case when tidemark.steps.status = 'started' then tidemark.steps.attempts
                       else tidemark.steps.attempts + 1 end`,
    [
      planId,
      step.n,
      step.change,
      step.target.name,
      step.sql,
      step.transactional,
      Math.round(durationMs),
      error.message,
      error.sqlstate,
      error.detail,
    ],
  );
}
