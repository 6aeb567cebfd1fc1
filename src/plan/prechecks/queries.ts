import type { Change } from '../../diff/change.js';
import { displayName, qualifiedKey } from '../../model/keys.js';
import type { Table } from '../../model/types.js';
import { qualify, quoteIdent, quoteLiteral } from '../../sql/quote.js';
import { castKey } from '../casts.js';
import { hasVolatileDefault } from '../steps/columns.js';
import { classifyTypeChange } from '../type-change.js';
import type { PrecheckResult, Step } from '../types.js';

/**
 * The questions a plan asks the live database before anyone applies it: will this step meet rows it
 * cannot accept? Pure: each precheck is SQL plus how to find the step it belongs to; prechecks/run.ts runs
 * them. Every query returns (n bigint, example text) rows: the count on the first row and up to five example
 * keys, so one round trip answers both.
 */
export interface PrecheckQuery {
  readonly kind: PrecheckResult['kind'];
  /** Counts matching rows over the whole table. */
  readonly sql: string;
  /** True when a match means the step will fail (not only that data will be lost or changed). */
  readonly failsStep: boolean;
  /** Words for the message: "orphan rows", "rows violating the check", … */
  readonly what: string;
  readonly table: Table;
  readonly matches: (step: Step) => boolean;
  /** The query looks at a bounded sample only, so "none found" is not proof. */
  readonly sampleOnly?: boolean;
}

/** An expression naming a row by its primary key, for examples: `id=5` or `(a, b)=(1, x)`. */
function rowKey(t: Table, alias: string): string {
  const cols = t.primaryKey?.columns ?? [];
  if (cols.length === 0) return `${alias}.ctid::text`;
  const names = cols.join(', ');
  const values = cols.map((c) => `coalesce(${alias}.${quoteIdent(c)}::text, 'NULL')`).join(` || ', ' || `);
  return cols.length === 1
    ? `${quoteLiteral(`${names}=`)} || ${values}`
    : `${quoteLiteral(`(${names})=(`)} || ${values} || ')'`;
}

/** Count and up to five example keys of the rows of `t` (aliased r) matching `where`. */
function countWithExamples(t: Table, where: string): string {
  return `WITH m AS (SELECT ${rowKey(t, 'r')} AS k FROM ${qualify(t)} r WHERE ${where})
SELECT (SELECT count(*) FROM m) AS n, k AS example FROM (SELECT k FROM m LIMIT 5) e
UNION ALL SELECT (SELECT count(*) FROM m), NULL WHERE NOT EXISTS (SELECT 1 FROM m)`;
}

const stepIs = (change: string, targetName: string) => (s: Step) =>
  s.change === change && s.target.name === targetName;

export function precheckQueries(
  changes: readonly Change[],
  newTables: ReadonlySet<string>,
  serverVersionNum: number,
  /** Type changes converted through text (plan/casts.ts): the sampled cast goes the same way. */
  castsThroughText: ReadonlySet<string> = new Set(),
): PrecheckQuery[] {
  const out: PrecheckQuery[] = [];
  // Columns added by this plan hold only NULLs or their default: nothing to ask the live rows about them.
  const added = new Set(
    changes.flatMap((c) => (c.kind === 'column.add' ? [`${qualifiedKey(c.table)}.${c.column.name}`] : [])),
  );
  const usesNew = (t: Table, columns: readonly string[]) =>
    columns.some((col) => added.has(`${qualifiedKey(t)}.${col}`));
  for (const c of changes) {
    if (c.kind === 'fk.add' && usesNew(c.table, c.foreignKey.columns)) continue;
    if (
      (c.kind === 'unique.add' || c.kind === 'pk.add') &&
      usesNew(c.table, c.kind === 'unique.add' ? c.unique.columns : c.primaryKey.columns)
    )
      continue;
    if (
      c.kind === 'check.add' &&
      c.table.columns.some(
        (col) => added.has(`${qualifiedKey(c.table)}.${col.name}`) && c.check.expression.includes(col.name),
      )
    ) {
      continue;
    }
    if (
      'table' in c &&
      c.kind !== 'table.create' &&
      c.kind !== 'table.rename' &&
      newTables.has(qualifiedKey(c.table))
    )
      continue;
    switch (c.kind) {
      case 'fk.add':
      case 'fk.validate': {
        const t = c.table;
        const fk = c.foreignKey;
        const ref = qualify({ schema: fk.references.schema, name: fk.references.table });
        const join = fk.columns
          .map((col, i) => `p.${quoteIdent(fk.references.columns[i]!)} = r.${quoteIdent(col)}`)
          .join(' AND ');
        const present =
          fk.match === 'full'
            ? fk.columns.map((col) => `r.${quoteIdent(col)} IS NOT NULL`).join(' AND ')
            : fk.columns.map((col) => `r.${quoteIdent(col)} IS NOT NULL`).join(' AND ');
        out.push({
          kind: 'orphans',
          sql: countWithExamples(t, `${present} AND NOT EXISTS (SELECT 1 FROM ${ref} p WHERE ${join})`),
          failsStep: true,
          what: `rows of ${displayName(t)} whose ${fk.columns.join(', ')} has no matching row in ${displayName({ schema: fk.references.schema, name: fk.references.table })}`,
          table: t,
          matches: stepIs('fk.validate', `${displayName(t)}.${fk.name}`),
        });
        break;
      }
      case 'check.add':
      case 'check.validate': {
        const t = c.table;
        out.push({
          kind: 'violations',
          sql: countWithExamples(t, `(${c.check.expression}) IS FALSE`),
          failsStep: true,
          what: `rows of ${displayName(t)} violating ${c.check.expression}`,
          table: t,
          matches: stepIs('check.validate', `${displayName(t)}.${c.check.name}`),
        });
        break;
      }
      case 'unique.add':
      case 'pk.add': {
        const t = c.table;
        const con = c.kind === 'unique.add' ? c.unique : c.primaryKey;
        const cols = con.columns.map((col) => `r.${quoteIdent(col)}`).join(', ');
        const nullsCount = c.kind === 'pk.add' || (c.kind === 'unique.add' && c.unique.nullsNotDistinct);
        const notNull = nullsCount
          ? 'true'
          : con.columns.map((col) => `r.${quoteIdent(col)} IS NOT NULL`).join(' AND ');
        out.push({
          kind: 'duplicates',
          sql: `WITH g AS (SELECT ${con.columns.map((col, i) => `r.${quoteIdent(col)}::text AS c${i}`).join(', ')}, count(*) AS n FROM ${qualify(t)} r WHERE ${notNull} GROUP BY ${cols} HAVING count(*) > 1)
SELECT (SELECT count(*) FROM g) AS n, ${con.columns.map((col, i) => `${quoteLiteral(`${col}=`)} || coalesce(c${i}, 'NULL')`).join(` || ', ' || `)} || ' (' || n || ' rows)' AS example FROM (SELECT * FROM g LIMIT 5) e
UNION ALL SELECT 0, NULL WHERE NOT EXISTS (SELECT 1 FROM g)`,
          failsStep: true,
          what: `groups of rows of ${displayName(t)} sharing the same ${con.columns.join(', ')}`,
          table: t,
          matches: stepIs('index.create', displayName({ schema: t.schema, name: con.name })),
        });
        if (c.kind === 'pk.add') {
          out.push({
            kind: 'nulls',
            sql: countWithExamples(t, con.columns.map((col) => `r.${quoteIdent(col)} IS NULL`).join(' OR ')),
            failsStep: true,
            what: `rows of ${displayName(t)} with NULL in ${con.columns.join(', ')}`,
            table: t,
            matches: stepIs('pk.add', `${displayName(t)}.${con.name}`),
          });
        }
        break;
      }
      case 'column.alter': {
        const t = c.table;
        const col = quoteIdent(c.column.name);
        const target = `${displayName(t)}.${c.column.name}`;
        if (c.fields.includes('notNull') && c.column.notNull) {
          out.push({
            kind: 'nulls',
            sql: countWithExamples(t, `r.${col} IS NULL`),
            failsStep: c.backfill === null,
            what:
              c.backfill === null
                ? `rows of ${target} that are NULL (add backfill: to fill them)`
                : `rows of ${target} that are NULL, to be filled by the backfill`,
            table: t,
            matches: stepIs(c.backfill === null ? 'column.not-null-validate' : 'column.backfill', target),
          });
        }
        if (c.fields.includes('type') && classifyTypeChange(c.from.type, c.column.type) !== 'metadata-only') {
          // pg_input_is_valid (PostgreSQL 16+) tests every value without failing; before 16 a cast of a
          // bounded sample is the best a read-only check can do.
          const where =
            serverVersionNum >= 160000
              ? `r.${col} IS NOT NULL AND NOT pg_input_is_valid(r.${col}::text, ${quoteLiteral(c.column.type)})`
              : null;
          out.push({
            kind: 'uncastable',
            sql: where
              ? countWithExamples(t, where)
              : // count() of the cast forces every sampled value through it; an error is the answer.
                // (the outer query must use it, or the planner drops the unused aggregate).
                `SELECT c.k * 0 AS n, NULL::text AS example FROM (SELECT count(s.v${castsThroughText.has(castKey(c.from.type, c.column.type)) ? '::text' : ''}::${c.column.type}) AS k FROM (SELECT r.${col} AS v FROM ${qualify(t)} r LIMIT 10000) s) c`,
            sampleOnly: where === null,
            failsStep: true,
            what: `values of ${target} that do not convert to ${c.column.type}`,
            table: t,
            matches: (s) =>
              s.change === 'column.alter' && s.target.name === target && s.sql.includes(' TYPE '),
          });
        }
        break;
      }
      case 'column.add': {
        const col = c.column;
        if (hasVolatileDefault(col)) {
          // Not a failure: how many rows the batched fill will write.
          const target = `${displayName(c.table)}.${col.name}`;
          out.push({
            kind: 'nulls',
            sql: countWithExamples(c.table, 'true'),
            failsStep: false,
            what: `rows of ${displayName(c.table)} to be filled in ${col.name}, one value each`,
            table: c.table,
            matches: stepIs('column.backfill', target),
          });
          break;
        }
        if (
          !(
            col.notNull &&
            col.default === null &&
            col.identity === null &&
            col.generated === null &&
            c.backfill === null
          )
        )
          break;
        const t = c.table;
        out.push({
          kind: 'nulls',
          sql: countWithExamples(t, 'true'),
          failsStep: true,
          what: `rows of ${displayName(t)} that would get NULL in the new NOT NULL column ${col.name} (add a default or backfill:)`,
          table: t,
          matches: stepIs('column.add', `${displayName(t)}.${col.name}`),
        });
        break;
      }
      case 'table.drop':
        out.push({
          kind: 'rows-lost',
          sql: countWithExamples(c.table, 'true'),
          failsStep: false,
          what: `rows deleted with table ${displayName(c.table)}`,
          table: c.table,
          matches: stepIs('table.drop', displayName(c.table)),
        });
        break;
      case 'column.drop': {
        const target = `${displayName(c.table)}.${c.column.name}`;
        out.push({
          kind: 'rows-lost',
          sql: countWithExamples(c.table, `r.${quoteIdent(c.column.name)} IS NOT NULL`),
          failsStep: false,
          what: `values deleted with column ${target}`,
          table: c.table,
          matches: stepIs('column.drop', target),
        });
        break;
      }
      default:
        break;
    }
  }
  return out;
}
