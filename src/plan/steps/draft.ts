import { displayName } from '../../model/keys.js';
import type { QualifiedName, TableStats } from '../../model/types.js';
import type { BatchedUpdate, Hazard, HazardCode, LockLevel, Phase, Severity, StepTarget } from '../types.js';
import type { KeySwap } from './key-swap.js';

/** A step before ordering and numbering. */
export interface StepDraft {
  readonly change: string;
  readonly target: StepTarget;
  readonly description: string;
  readonly sql: string;
  readonly phase: Phase;
  /** Order inside a phase before the tie-break on target: lower first. */
  readonly rank: number;
  readonly transactional: boolean;
  readonly lock: LockLevel;
  readonly hazards: readonly Hazard[];
  /**
   * Must run in a transaction of its own: a scan (VALIDATE) that should not hold the locks of the catalog
   * changes around it, or a statement whose effect later steps need committed (ALTER TYPE … ADD VALUE).
   */
  readonly ownTransaction: boolean;
  readonly batch?: BatchedUpdate;
}

export interface PlanContext {
  /** Table key → size, for hazard severity. */
  readonly stats: ReadonlyMap<string, TableStats>;
  /** Keys of tables created by this plan: they get the plain, fastest forms. */
  readonly newTables: ReadonlySet<string>;
  /** Keys of tables dropped by this plan. */
  readonly droppedTables: ReadonlySet<string>;
  /**
   * Keys of kept tables that lose a key, an index or a column, or whose column changes type: a foreign key
   * into them from a dropped table would block that change if it stayed until its table is dropped.
   */
  readonly rekeyedTables?: ReadonlySet<string>;
  /**
   * Keys of dropped tables that hold a name (their own, or one of their keys' or indexes') a relation this
   * plan creates takes: they are dropped before anything is created (see nameFreeingDrops in plan/build.ts).
   */
  readonly earlyDrops?: ReadonlySet<string>;
  readonly serverVersionNum: number;
  /**
   * Live indexes (member key) replaced build-new-then-swap, see onlineIndexReplacements. Absent: every
   * replacement drops the old index first.
   */
  readonly replacedIndexes?: ReadonlySet<string>;
  /** Primary keys and unique constraints replaced online, see onlineKeyReplacements. */
  readonly replacedKeys?: ReadonlyMap<string, KeySwap>;
  /** Live enum types as column types print them: no cast leads from one to another type but through text. */
  readonly enumTypes?: ReadonlySet<string>;
  /** Type changes without a cast in PostgreSQL, converted through text (plan/casts.ts, castKey). */
  readonly castsThroughText?: ReadonlySet<string>;
}

export function target(kind: string, name: string, table: QualifiedName | null): StepTarget {
  return { kind, name, table: table ? displayName(table) : null };
}

export function memberName(table: QualifiedName, member: string): string {
  return `${displayName(table)}.${member}`;
}

export function draft(
  fields: Omit<StepDraft, 'rank' | 'ownTransaction' | 'hazards'> & Partial<StepDraft>,
): StepDraft {
  return { rank: 0, ownTransaction: false, hazards: [], ...fields };
}

/** Severity from the table's size: the same change on 10 rows and on 10 million rows is not the same risk. */
export function sizeSeverity(stats: TableStats | undefined): Severity {
  if (!stats) return 'low';
  const rows = Math.max(stats.estimatedRows, 0);
  if (rows >= 1_000_000 || stats.totalBytes >= 1024 ** 3) return 'high';
  if (rows >= 10_000 || stats.totalBytes >= 64 * 1024 ** 2) return 'medium';
  return 'low';
}

export function sizeText(stats: TableStats | undefined): string {
  if (!stats) return 'size unknown';
  const rows = stats.estimatedRows < 0 ? 'not yet analysed' : `~${formatCount(stats.estimatedRows)} rows`;
  return `${rows}, ${formatBytes(stats.totalBytes)}`;
}

export function formatCount(n: number): string {
  if (n >= 1_000_000) return `${(n / 1_000_000).toFixed(1)}M`;
  if (n >= 10_000) return `${Math.round(n / 1000)}k`;
  return String(Math.round(n));
}

export function formatBytes(bytes: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let v = bytes;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${i === 0 ? v : v.toFixed(1)} ${units[i]}`;
}

export function hazard(code: HazardCode, severity: Severity, message: string): Hazard {
  return { code, severity, message };
}
