import type pg from 'pg';
import type { BatchedUpdate, Step } from '../plan/types.js';
import type { ApplyReporter } from './types.js';

/**
 * A backfill, batch by batch. Each batch is one statement in autocommit, so it is its own short transaction
 * and holds row locks only on its own rows: application writes to other rows never wait, and a killed apply
 * loses at most one batch (the rows done stay done; the rerun continues with the rest).
 *
 * With a single-column primary key the batches walk the key in order (each batch finds its rows through
 * the key index, never rescanning what is done); without one they take the next rows still NULL. Rows whose
 * value computes to NULL are left for the NOT NULL validation to report, never retried forever.
 */
export async function runBackfill(
  client: pg.Client,
  step: Step,
  batch: BatchedUpdate,
  reporter: ApplyReporter,
): Promise<number> {
  let total = 0;
  let batches = 0;
  let last: string | null = null;
  let lastReport = Date.now();
  for (;;) {
    const { updated, next }: { updated: number; next: string | null } = batch.key
      ? await keyBatch(client, batch, batch.key, last)
      : await rowBatch(client, batch);
    batches++;
    total += updated;
    if (Date.now() - lastReport > 2000) {
      reporter.info(`step ${step.n}: backfill batch ${batches}, ${total} rows filled so far`);
      lastReport = Date.now();
    }
    if (batch.key ? next === null : updated === 0) break;
    last = next;
  }
  reporter.info(
    `step ${step.n}: backfill filled ${total} rows in ${batches} batch${batches === 1 ? '' : 'es'}`,
  );
  return total;
}

async function keyBatch(
  client: pg.Client,
  b: BatchedUpdate,
  key: NonNullable<BatchedUpdate['key']>,
  after: string | null,
): Promise<{ updated: number; next: string | null }> {
  const bound = after === null ? '' : `WHERE ${key.column} > $1::${key.type}`;
  const { rows } = await client.query<{ updated: string; last: string | null }>(
    `WITH b AS (SELECT ${key.column} AS tidemark_key FROM ${b.table} ${bound} ORDER BY ${key.column} LIMIT ${b.batchSize}),
     u AS (UPDATE ${b.table} t SET ${b.column} = ${b.value} FROM b
            WHERE t.${key.column} = b.tidemark_key AND t.${b.column} IS NULL RETURNING 1)
     SELECT (SELECT count(*) FROM u) AS updated, (SELECT max(tidemark_key)::text FROM b) AS last`,
    after === null ? [] : [after],
  );
  return { updated: Number(rows[0]?.updated ?? 0), next: rows[0]?.last ?? null };
}

async function rowBatch(client: pg.Client, b: BatchedUpdate): Promise<{ updated: number; next: null }> {
  const result = await client.query(
    `UPDATE ${b.table} SET ${b.column} = ${b.value}
      WHERE ctid = ANY (ARRAY(SELECT ctid FROM ${b.table} WHERE ${b.column} IS NULL AND (${b.value}) IS NOT NULL LIMIT ${b.batchSize}))`,
  );
  return { updated: result.rowCount ?? 0, next: null };
}
