import type { UnmanagedObject } from '../model/types.js';

/**
 * A plan: ordered steps packed into transaction groups, with what each step locks and risks. Pure data, the
 * content of a saved plan file (plans/*.plan.json) and the input of every renderer and of apply.
 */

export type LockLevel =
  | 'ACCESS EXCLUSIVE'
  | 'EXCLUSIVE'
  | 'SHARE ROW EXCLUSIVE'
  | 'SHARE'
  | 'SHARE UPDATE EXCLUSIVE'
  | 'ROW EXCLUSIVE'
  | 'none';

export type HazardCode =
  | 'DELETES_DATA'
  | 'LOSSY_TYPE_CHANGE'
  | 'TABLE_REWRITE'
  | 'ACCESS_EXCLUSIVE_LOCK'
  | 'FULL_SCAN'
  | 'INDEX_BUILD'
  | 'INDEX_DROPPED'
  | 'NON_TRANSACTIONAL'
  | 'WILL_FAIL_ON_DATA'
  | 'ENUM_VALUE_REMOVED'
  | 'BACKFILL';

export type Severity = 'low' | 'medium' | 'high';

export interface Hazard {
  readonly code: HazardCode;
  readonly severity: Severity;
  readonly message: string;
}

export type Phase =
  | 'pre'
  | 'schemas'
  | 'extensions'
  | 'types'
  | 'sequences'
  | 'drop-dependents'
  | 'tables'
  | 'columns'
  | 'constraints'
  | 'indexes'
  | 'foreign-keys'
  | 'validate'
  | 'drop-relations'
  | 'drop-types'
  | 'comments'
  | 'post';

export interface StepTarget {
  /** Object kind: `table`, `column`, `index`, `fk`, `check`, `unique`, `pk`, `enum`, `sequence`, … */
  readonly kind: string;
  /** Human name, e.g. `public.children.parent_id`. */
  readonly name: string;
  /** The table the step touches, if any (`public.children`), for grouping and lock reporting. */
  readonly table: string | null;
}

export interface PrecheckResult {
  readonly kind: 'orphans' | 'violations' | 'duplicates' | 'nulls' | 'uncastable' | 'rows-lost';
  /** The SQL that counted, for the reviewer to re-run. */
  readonly sql: string;
  readonly count: number;
  readonly exact: boolean;
  readonly examples: readonly string[];
  readonly message: string;
}

/**
 * A data change run in batches, each its own short transaction, so no lock on the table outlives one batch.
 * `sql` of the step is the same change as one statement, for a script run by hand.
 */
export interface BatchedUpdate {
  /** Qualified table, as SQL. */
  readonly table: string;
  /** The column filled, as SQL. */
  readonly column: string;
  /** The SQL expression the column is filled from. */
  readonly value: string;
  /** Single-column primary key walked in order (as SQL, with its type), or null to batch by physical row. */
  readonly key: { readonly column: string; readonly type: string } | null;
  readonly batchSize: number;
}

export interface Step {
  /** Position in the plan, 1-based; stable for the same inputs. */
  readonly n: number;
  /** The change verb, e.g. `table.create`, `column.alter`, `fk.add`, `fk.validate`. */
  readonly change: string;
  readonly target: StepTarget;
  readonly description: string;
  readonly sql: string;
  readonly phase: Phase;
  /** False for statements that cannot run inside a transaction block (CONCURRENTLY, ADD VALUE on old PG). */
  readonly transactional: boolean;
  readonly lock: LockLevel;
  readonly hazards: readonly Hazard[];
  readonly precheck: PrecheckResult | null;
  /** Present on a backfill: apply runs it batch by batch (see BatchedUpdate). */
  readonly batch?: BatchedUpdate;
}

export interface Group {
  readonly transactional: boolean;
  readonly steps: readonly Step[];
}

export interface PlanSummary {
  readonly add: number;
  readonly change: number;
  readonly drop: number;
}

export interface Plan {
  readonly formatVersion: 1;
  readonly toolVersion: string;
  /** Major version of the server the plan was computed against. */
  readonly serverVersionNum: number;
  readonly schemas: readonly string[];
  readonly from: { readonly fingerprint: string };
  readonly to: { readonly fingerprint: string };
  /** sha256 of the schema files the desired state came from. */
  readonly schemaHash: string;
  readonly groups: readonly Group[];
  readonly summary: PlanSummary;
  readonly unmanaged: readonly UnmanagedObject[];
  /** Hazard codes approved when the plan was saved (`--allow-hazards`). */
  readonly approvedHazards: readonly HazardCode[];
}
