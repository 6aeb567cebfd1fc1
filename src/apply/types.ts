import type { HazardCode, Step } from '../plan/types.js';

/** How the pre-apply snapshot is taken. */
export type SnapshotMode =
  /** pg_dump custom format; with templateFallback, a database copy when no compatible pg_dump exists. */
  | { readonly kind: 'pg_dump'; readonly templateFallback: boolean }
  /** `CREATE DATABASE <db>_snap_<ts> TEMPLATE <db>`: only for databases nobody else is connected to. */
  | { readonly kind: 'template' }
  | { readonly kind: 'none'; readonly reason: string };

export interface SnapshotRecord {
  readonly kind: 'pg_dump' | 'template' | 'none';
  /** Dump file path, or the name of the copy database; null for none. */
  readonly location: string | null;
  readonly sha256: string | null;
  /** Why there is no snapshot, or how the copy was made. */
  readonly note: string;
  /** The exact commands that restore it; empty for none. */
  readonly restore: readonly string[];
}

export interface IndexBuildProgress {
  readonly phase: string;
  readonly blocksDone: number;
  readonly blocksTotal: number;
  readonly tuplesDone: number;
  readonly tuplesTotal: number;
}

/** Where apply reports what it does. Methods are called in order; none may throw. */
export interface ApplyReporter {
  /** True when index build progress should be polled (a terminal that redraws a line). */
  readonly wantsIndexProgress: boolean;
  info(message: string): void;
  stepStarted(step: Step, index: number, total: number): void;
  stepFinished(step: Step, index: number, total: number, durationMs: number): void;
  stepSkipped(step: Step, index: number, total: number, why: string): void;
  stepRetry(step: Step, attempt: number, delayMs: number, reason: string): void;
  indexProgress(step: Step, progress: IndexBuildProgress): void;
}

export interface ApplySettings {
  /** lock_timeout for every transaction and non-transactional statement. */
  readonly lockTimeoutMs: number;
  /** How many times a lock timeout is retried (so up to retries + 1 attempts). */
  readonly retries: number;
  readonly snapshotDir: string;
}

export interface ApplyOptions {
  readonly targetUrl: string;
  readonly config: ApplySettings;
  /** Hazard codes approved now, on top of the ones the plan file records. */
  readonly allowHazards: readonly HazardCode[];
  readonly snapshot: SnapshotMode;
  /** Fingerprint of the live managed schemas (the CLI introspects; tests may inject anything). */
  currentFingerprint(): Promise<string>;
  readonly reporter?: ApplyReporter;
  readonly signal?: AbortSignal;
  /** How long a second apply waits for the advisory lock before failing. Default 5000. */
  readonly lockWaitMs?: number;
  /** First backoff delay after a lock timeout; doubles each retry. Default 500. */
  readonly retryBaseDelayMs?: number;
  /** Environment used to find pg_dump (PATH) and passed to it. Default process.env. */
  readonly env?: NodeJS.ProcessEnv;
}

export interface ApplyResult {
  /** Row id in tidemark.plans; null when the plan was empty and nothing was recorded. */
  readonly planId: number | null;
  readonly resumed: boolean;
  /** Steps executed by this run (not counting those an earlier run completed). */
  readonly stepsRun: number;
  readonly stepsSkipped: number;
  readonly totalSteps: number;
  readonly snapshot: SnapshotRecord;
  readonly fingerprint: string;
  readonly durationMs: number;
}
