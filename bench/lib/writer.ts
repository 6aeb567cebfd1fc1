import pg from 'pg';

/**
 * A concurrent writer: one connection running single-row INSERTs and UPDATEs (autocommit) on a table, one
 * after another, recording each statement's latency. What an application sees while a migration runs: a
 * statement that queues behind a DDL lock shows up as a long latency.
 */

export interface WriterOptions {
  readonly url: string;
  /** The table written to; it needs columns id bigint, parent_id bigint, amount integer, code text. */
  readonly table: string;
  /** Existing ids 1..rows are updated; inserts use ids above `firstInsertId`. */
  readonly rows: number;
  readonly firstInsertId: number;
  /** Parent ids 1..parents, so inserted rows satisfy a foreign key. */
  readonly parents: number;
  /** Stop after this many statements or this long, whichever comes first. */
  readonly maxStatements: number;
  readonly maxMs: number;
  /** Pause between statements, so the writer offers a steady rate rather than saturating a core. */
  readonly pauseMs: number;
}

export interface WriterSample {
  /** Milliseconds since the writer started. */
  readonly at: number;
  readonly ms: number;
  readonly kind: 'insert' | 'update';
}

export interface WriterStats {
  readonly statements: number;
  readonly errors: readonly string[];
  readonly samples: readonly WriterSample[];
  readonly worstMs: number;
  readonly p99Ms: number;
  readonly p50Ms: number;
  readonly durationMs: number;
}

export interface RunningWriter {
  /** Resolves once the writer has run its first statement, so the change under test meets a live writer. */
  readonly ready: Promise<void>;
  /** `performance.now()` when the writer started: the origin of every sample's `at`. */
  readonly startedAt: number;
  stop(): Promise<WriterStats>;
}

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0;
}

export function summarise(
  samples: readonly WriterSample[],
  errors: readonly string[],
  durationMs: number,
): WriterStats {
  const sorted = samples.map((s) => s.ms).sort((a, b) => a - b);
  return {
    statements: samples.length,
    errors,
    samples,
    worstMs: sorted.at(-1) ?? 0,
    p99Ms: percentile(sorted, 99),
    p50Ms: percentile(sorted, 50),
    durationMs,
  };
}

/** Deterministic pseudo-random ids, so two runs write the same rows. */
function sequence(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (Math.imul(a, 1664525) + 1013904223) >>> 0;
    return a / 4294967296;
  };
}

export function startWriter(options: WriterOptions): RunningWriter {
  const client = new pg.Client({ connectionString: options.url, application_name: 'tidemark-bench-writer' });
  const samples: WriterSample[] = [];
  const errors: string[] = [];
  let stopping = false;
  let markReady: () => void = () => {};
  let failReady: (e: unknown) => void = () => {};
  const ready = new Promise<void>((resolve, reject) => {
    markReady = resolve;
    failReady = reject;
  });
  const started = performance.now();
  const random = sequence(7);
  const loop = (async () => {
    await client.connect();
    // A safety net only: a writer stuck this long means the test has failed anyway.
    await client.query('SET statement_timeout = 30000');
    let nextId = options.firstInsertId;
    for (let i = 0; !stopping && i < options.maxStatements; i++) {
      if (performance.now() - started > options.maxMs) break;
      const insert = i % 4 === 0;
      const t0 = performance.now();
      try {
        if (insert) {
          const id = nextId++;
          await client.query(
            `INSERT INTO ${options.table} (id, parent_id, amount, code) VALUES ($1, $2, $3, $4)`,
            [id, 1 + Math.floor(random() * options.parents), Math.floor(random() * 10_000), `w${id}`],
          );
        } else {
          await client.query(`UPDATE ${options.table} SET amount = amount + 1 WHERE id = $1`, [
            1 + Math.floor(random() * options.rows),
          ]);
        }
      } catch (error) {
        errors.push(error instanceof Error ? error.message : String(error));
      }
      const t1 = performance.now();
      samples.push({ at: t0 - started, ms: t1 - t0, kind: insert ? 'insert' : 'update' });
      if (i === 0) markReady();
      if (options.pauseMs > 0) await new Promise((r) => setTimeout(r, options.pauseMs));
    }
  })();
  loop.catch(failReady);
  return {
    ready,
    startedAt: started,
    async stop() {
      stopping = true;
      try {
        await loop;
      } finally {
        await client.end().catch(() => {});
      }
      return summarise(samples, errors, performance.now() - started);
    },
  };
}
