import { TidemarkError } from '../errors.js';
import type { HazardCode } from '../plan/types.js';

/**
 * Apply failures. Each has a stable code; the ones raised after the first change carry how far the apply got,
 * so the CLI (and a reviewer reading a CI log) can tell what the database looks like now.
 */

export interface RefusedHazard {
  readonly step: number;
  readonly change: string;
  readonly target: string;
  readonly code: HazardCode;
  readonly message: string;
}

/** A step carries a hazard nobody approved. Raised before anything connects or changes. */
export class HazardNotAllowedError extends TidemarkError {
  readonly refused: readonly RefusedHazard[];
  constructor(message: string, refused: readonly RefusedHazard[]) {
    super('HAZARD_NOT_ALLOWED', message);
    this.refused = refused;
  }
}

/** The live database is not the one the plan was computed against. Nothing was changed. */
export class StalePlanError extends TidemarkError {
  readonly expected: string;
  readonly actual: string;
  constructor(message: string, expected: string, actual: string) {
    super('STALE_PLAN', message);
    this.expected = expected;
    this.actual = actual;
  }
}

/** Another apply holds the advisory lock on this database. Nothing was changed. */
export class ApplyLockedError extends TidemarkError {
  constructor(message: string) {
    super('APPLY_LOCKED', message);
  }
}

/** The snapshot could not be taken or verified (pg_dump missing or too old, dump failed). Nothing was changed. */
export class SnapshotError extends TidemarkError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('SNAPSHOT', message, options);
  }
}

export interface PostgresErrorInfo {
  readonly message: string;
  readonly sqlstate: string | null;
  readonly detail: string | null;
  readonly hint: string | null;
}

/** A step failed (or the apply was interrupted); the ledger row of the plan says the same. */
export class ApplyError extends TidemarkError {
  readonly planId: number;
  readonly completedSteps: number;
  readonly totalSteps: number;
  readonly failedStep: number | null;
  readonly failedSql: string | null;
  readonly postgres: PostgresErrorInfo | null;
  constructor(
    message: string,
    progress: {
      planId: number;
      completedSteps: number;
      totalSteps: number;
      failedStep: number | null;
      failedSql: string | null;
      postgres: PostgresErrorInfo | null;
    },
    options?: { cause?: unknown },
  ) {
    super('APPLY_FAILED', message, options);
    this.planId = progress.planId;
    this.completedSteps = progress.completedSteps;
    this.totalSteps = progress.totalSteps;
    this.failedStep = progress.failedStep;
    this.failedSql = progress.failedSql;
    this.postgres = progress.postgres;
  }
}

/** Every step ran, but the live database is not what the plan promised. */
export class VerificationError extends TidemarkError {
  readonly planId: number;
  readonly expected: string;
  readonly actual: string;
  constructor(message: string, planId: number, expected: string, actual: string) {
    super('VERIFICATION_FAILED', message);
    this.planId = planId;
    this.expected = expected;
    this.actual = actual;
  }
}

/** The message, SQLSTATE and detail of a PostgreSQL error, or just the message of anything else. */
export function postgresErrorInfo(error: unknown): PostgresErrorInfo {
  if (error !== null && typeof error === 'object') {
    const e = error as { message?: unknown; code?: unknown; detail?: unknown; hint?: unknown };
    return {
      message: typeof e.message === 'string' ? e.message : String(error),
      sqlstate: typeof e.code === 'string' && /^[0-9A-Z]{5}$/.test(e.code) ? e.code : null,
      detail: typeof e.detail === 'string' ? e.detail : null,
      hint: typeof e.hint === 'string' ? e.hint : null,
    };
  }
  return { message: String(error), sqlstate: null, detail: null, hint: null };
}

export function formatPostgresError(info: PostgresErrorInfo): string {
  const code = info.sqlstate ? ` (SQLSTATE ${info.sqlstate})` : '';
  const detail = info.detail ? `; detail: ${info.detail}` : '';
  return `${info.message}${code}${detail}`;
}
