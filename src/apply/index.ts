/** The apply engine: what the CLI and library users call. */
export { APPLY_LOCK_KEY } from './advisory-lock.js';
export { applyPlan } from './apply-plan.js';
export {
  ApplyError,
  ApplyLockedError,
  HazardNotAllowedError,
  SnapshotError,
  StalePlanError,
  VerificationError,
} from './errors.js';
export { checkHazards } from './hazard-gate.js';
export { LEDGER_SCHEMA } from './ledger.js';
export { planHash } from './plan-hash.js';
export { createReporter, lineReporter, silentReporter, ttyReporter } from './progress.js';
export type {
  ApplyOptions,
  ApplyReporter,
  ApplyResult,
  ApplySettings,
  IndexBuildProgress,
  SnapshotMode,
  SnapshotRecord,
} from './types.js';
