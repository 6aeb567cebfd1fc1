import type pg from 'pg';
import type { Change } from '../../diff/change.js';
import { qualifiedKey } from '../../model/keys.js';
import type { TableStats } from '../../model/types.js';
import { qualify } from '../../sql/quote.js';
import { formatCount } from '../steps/draft.js';
import type { Plan, PrecheckResult, Step } from '../types.js';
import { type PrecheckQuery, precheckQueries } from './queries.js';

export interface PrecheckOptions {
  /** statement_timeout for each precheck query, in milliseconds. */
  readonly timeoutMs: number;
  /** Tables estimated above this many rows are sampled (TABLESAMPLE SYSTEM) instead of counted exactly. */
  readonly exactBelowRows: number;
}

export const DEFAULT_PRECHECK_OPTIONS: PrecheckOptions = { timeoutMs: 5000, exactBelowRows: 2_000_000 };

/**
 * Run the plan's prechecks against the live database, read-only and bounded by a statement timeout, and
 * attach each result to its step. A step certain to fail on the data gets the WILL_FAIL_ON_DATA hazard,
 * which no approval can allow, so apply refuses it until the data is fixed.
 */
export async function runPrechecks(
  client: pg.Client,
  plan: Plan,
  changes: readonly Change[],
  stats: readonly TableStats[],
  options: PrecheckOptions = DEFAULT_PRECHECK_OPTIONS,
  castsThroughText: ReadonlySet<string> = new Set(),
): Promise<Plan> {
  const newTables = new Set(
    changes.flatMap((c) => (c.kind === 'table.create' ? [qualifiedKey(c.table)] : [])),
  );
  const queries = precheckQueries(changes, newTables, plan.serverVersionNum, castsThroughText);
  if (queries.length === 0) return plan;
  const statsByKey = new Map(stats.map((s) => [qualifiedKey(s), s]));
  const results = new Map<Step, PrecheckResult>();
  const steps = plan.groups.flatMap((g) => g.steps);
  await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
  try {
    await client.query('SET LOCAL search_path = public');
    await client.query(`SET LOCAL statement_timeout = ${Math.max(1, Math.round(options.timeoutMs))}`);
    for (const q of queries) {
      const step = steps.find(q.matches);
      if (!step || results.has(step)) continue;
      results.set(step, await runOne(client, q, statsByKey.get(qualifiedKey(q.table)), options));
    }
  } finally {
    await client.query('ROLLBACK').catch(() => {});
  }
  return {
    ...plan,
    groups: plan.groups.map((g) => ({
      ...g,
      steps: g.steps.map((s) => {
        const result = results.get(s);
        if (!result) return s;
        const query = queries.find((q) => q.matches(s))!;
        const fails = query.failsStep && result.count !== 0;
        const certain = fails && result.count > 0;
        return {
          ...s,
          precheck: result,
          hazards: certain
            ? [
                ...s.hazards,
                { code: 'WILL_FAIL_ON_DATA' as const, severity: 'high' as const, message: result.message },
              ]
            : s.hazards,
        };
      }),
    })),
  };
}

/** "rows of …" → "row of …" for a count of one. */
function singular(what: string): string {
  return what.replace(/^(rows|groups|values)\b/, (w) => w.slice(0, -1));
}

async function runOne(
  client: pg.Client,
  q: PrecheckQuery,
  stats: TableStats | undefined,
  options: PrecheckOptions,
): Promise<PrecheckResult> {
  const rows = stats?.estimatedRows ?? 0;
  const tableRef = `${qualify(q.table)} r `;
  // Sampling keeps a scan of a huge table inside the time bound; duplicates cannot be found in a sample.
  const percent = Math.max(0.01, Math.min(100, (options.exactBelowRows / Math.max(rows, 1)) * 100));
  const sample = rows > options.exactBelowRows && q.kind !== 'duplicates' && q.sql.includes(tableRef);
  const sql = sample
    ? q.sql.replace(tableRef, `${qualify(q.table)} r TABLESAMPLE SYSTEM (${percent.toFixed(4)}) `)
    : q.sql;
  await client.query('SAVEPOINT precheck');
  try {
    const { rows: result } = await client.query<{ n: string; example: string | null }>(sql);
    await client.query('RELEASE SAVEPOINT precheck');
    const raw = Number(result[0]?.n ?? 0);
    const count = sample ? Math.round((raw * 100) / percent) : raw;
    const examples = result.flatMap((r) => (r.example === null ? [] : [r.example]));
    const exact = !sample && !q.sampleOnly;
    const amount = exact
      ? String(count)
      : `about ${formatCount(count)} (estimated from a ${percent.toFixed(2)}% sample)`;
    const what = count === 1 && exact ? singular(q.what) : q.what;
    return {
      kind: q.kind,
      sql: q.sql,
      count,
      exact,
      examples,
      message:
        count === 0
          ? `no ${q.what}${q.sampleOnly ? ' in a sample of 10,000 rows' : ''}`
          : `${amount} ${what}${examples.length > 0 ? `, e.g. ${examples.join('; ')}` : ''}`,
    };
  } catch (error) {
    await client.query('ROLLBACK TO SAVEPOINT precheck');
    const e = error as { code?: string; message?: string };
    const timedOut = e.code === '57014';
    // Before PostgreSQL 16 the cast of a sample is the test: a data exception (SQLSTATE class 22) means some
    // value does not convert. Any other error, such as a type the plan itself creates not existing yet, says
    // nothing about the values.
    if (q.kind === 'uncastable' && e.code?.startsWith('22')) {
      return {
        kind: q.kind,
        sql: q.sql,
        count: 1,
        exact: false,
        examples: [],
        message: `${q.what} exist: ${e.message}`,
      };
    }
    return {
      kind: q.kind,
      sql: q.sql,
      count: -1,
      exact: false,
      examples: [],
      message: timedOut
        ? `not checked: the count took longer than ${options.timeoutMs} ms (run the SQL by hand, or raise --precheck-timeout)`
        : `not checked: ${e.message}`,
    };
  }
}
