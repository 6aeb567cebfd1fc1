import { displayName, qualifiedKey } from '../../model/keys.js';
import type { Column, Table } from '../../model/types.js';
import { qualify, quoteIdent } from '../../sql/quote.js';
import { draft, hazard, type PlanContext, type StepDraft, sizeSeverity, sizeText, target } from './draft.js';

/** Rows per backfill batch: small enough that each batch's row locks are held for a moment. */
export const BACKFILL_BATCH = 5000;

function columnTarget(t: Table, column: string) {
  return target('column', `${displayName(t)}.${column}`, t);
}

/**
 * Fill the NULLs of a column from an expression, in batches that each commit on their own (apply runs the
 * step's `batch`; its `sql` is the same change as one statement, for a script run by hand).
 */
export function backfillStep(
  t: Table,
  col: Column,
  value: string,
  ctx: PlanContext,
  rows: { readonly subject: string; readonly updated: string },
): StepDraft {
  const stats = ctx.stats.get(qualifiedKey(t));
  const column = quoteIdent(col.name);
  // Batches walk a single-column primary key in order; without one, physical rows in bounded chunks.
  const pk = t.primaryKey?.columns.length === 1 ? t.primaryKey.columns[0]! : null;
  const keyType = pk === null ? undefined : t.columns.find((c) => c.name === pk)?.type;
  return draft({
    change: 'column.backfill',
    target: columnTarget(t, col.name),
    description: `fill ${rows.subject} from ${value}, in batches of ${BACKFILL_BATCH} rows`,
    sql: `UPDATE ${qualify(t)} SET ${column} = ${value} WHERE ${column} IS NULL`,
    phase: 'columns',
    rank: 2,
    // Each batch commits on its own: the step is not one transaction.
    transactional: false,
    lock: 'ROW EXCLUSIVE',
    hazards: [hazard('BACKFILL', sizeSeverity(stats), `${rows.updated} (${sizeText(stats)})`)],
    batch: {
      table: qualify(t),
      column,
      value,
      key: pk !== null && keyType ? { column: quoteIdent(pk), type: keyType } : null,
      batchSize: BACKFILL_BATCH,
    },
  });
}

/**
 * SET NOT NULL without holding ACCESS EXCLUSIVE through a scan: a NOT VALID check, validated in its own
 * transaction (SHARE UPDATE EXCLUSIVE, writes continue), lets SET NOT NULL skip its scan (PostgreSQL 12+).
 * A backfill, when given, fills the NULLs first.
 */
export function setNotNull(t: Table, col: Column, backfill: string | null, ctx: PlanContext): StepDraft[] {
  const name = `${displayName(t)}.${col.name}`;
  const stats = ctx.stats.get(qualifiedKey(t));
  const column = quoteIdent(col.name);
  const helper = helperCheckName(t.name, col.name);
  const alterTable = `ALTER TABLE ${qualify(t)}`;
  const steps: StepDraft[] = [];
  if (backfill !== null) {
    steps.push(
      backfillStep(t, col, backfill, ctx, {
        subject: `NULLs in ${name}`,
        updated: `rows of ${displayName(t)} with NULL are updated`,
      }),
    );
  }
  steps.push(
    draft({
      change: 'column.not-null-check',
      target: columnTarget(t, col.name),
      description: `add helper check ${helper} (NOT VALID) for ${name}`,
      sql: `${alterTable} ADD CONSTRAINT ${quoteIdent(helper)} CHECK (${column} IS NOT NULL) NOT VALID`,
      phase: 'columns',
      rank: 3,
      transactional: true,
      lock: 'ACCESS EXCLUSIVE',
    }),
    draft({
      change: 'column.not-null-validate',
      target: columnTarget(t, col.name),
      description: `check that ${name} has no NULLs (scan without blocking writes)`,
      sql: `${alterTable} VALIDATE CONSTRAINT ${quoteIdent(helper)}`,
      phase: 'columns',
      rank: 4,
      transactional: true,
      ownTransaction: true,
      lock: 'SHARE UPDATE EXCLUSIVE',
      hazards: [
        hazard('FULL_SCAN', sizeSeverity(stats), `${displayName(t)} is scanned (${sizeText(stats)})`),
      ],
    }),
    draft({
      change: 'column.set-not-null',
      target: columnTarget(t, col.name),
      description: `set ${name} NOT NULL (proved by the helper check, no scan) and drop the helper`,
      sql: `${alterTable} ALTER COLUMN ${column} SET NOT NULL;\n${alterTable} DROP CONSTRAINT ${quoteIdent(helper)}`,
      phase: 'columns',
      rank: 5,
      transactional: true,
      lock: 'ACCESS EXCLUSIVE',
    }),
  );
  return steps;
}

/** A constraint name no user writes, within PostgreSQL's 63-byte limit. */
export function helperCheckName(table: string, column: string): string {
  const suffix = '_tidemark_nn';
  const base = `${table}_${column}`;
  const max = 63 - suffix.length;
  return `${Buffer.from(base)
    .subarray(0, max)
    .toString()
    .replace(/\uFFFD+$/, '')}${suffix}`;
}
