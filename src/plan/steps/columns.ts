import type { Change } from '../../diff/change.js';
import { displayName, qualifiedKey } from '../../model/keys.js';
import type { Column, Table } from '../../model/types.js';
import { qualify, quoteIdent } from '../../sql/quote.js';
import { renderComment, renderMoveIntoRange } from '../../sql/render-objects.js';
import { quoteCollation, renderColumnDefinition, renderIdentity } from '../../sql/render-table.js';
import { castKey } from '../casts.js';
import { classifyTypeChange } from '../type-change.js';
import { draft, hazard, type PlanContext, type StepDraft, sizeSeverity, sizeText, target } from './draft.js';
import { backfillStep, setNotNull } from './not-null.js';

type Of<K extends Change['kind']> = Extract<Change, { kind: K }>;

/**
 * Default expressions PostgreSQL must evaluate per row, so ADD COLUMN with them rewrites the table: calls of
 * the volatile built-ins (and those of uuid-ossp and pgcrypto) used as defaults. A user-defined volatile
 * function is not recognised here.
 */
const VOLATILE_CALL =
  /\b(random|random_normal|gen_random_uuid|uuidv[47]|uuid_generate_v1mc|uuid_generate_v[14]|gen_random_bytes|clock_timestamp|timeofday|nextval|txid_current|pg_current_xact_id)\s*\(/i;

/** A new column PostgreSQL would have to compute per existing row: added bare and backfilled instead. */
export function hasVolatileDefault(col: Column): boolean {
  return (
    col.identity === null && col.generated === null && col.default !== null && VOLATILE_CALL.test(col.default)
  );
}

function alterTable(t: Table): string {
  return `ALTER TABLE ${qualify(t)}`;
}

function columnTarget(t: Table, column: string) {
  return target('column', `${displayName(t)}.${column}`, t);
}

export function columnAdd(c: Of<'column.add'>, ctx: PlanContext): StepDraft[] {
  const t = c.table;
  const col = c.column;
  const name = `${displayName(t)}.${col.name}`;
  const stats = ctx.stats.get(qualifiedKey(t));
  const severity = sizeSeverity(stats);
  const steps: StepDraft[] = [];
  const computed = col.identity !== null || col.generated !== null;
  const needsFill = col.notNull && col.default === null && !computed;
  const volatileDefault = hasVolatileDefault(col);
  const addBare = (description: string) =>
    draft({
      change: c.kind,
      target: columnTarget(t, col.name),
      description,
      sql: `${alterTable(t)} ADD COLUMN ${renderColumnDefinition({ ...col, notNull: false, default: null })}`,
      phase: 'columns',
      rank: 1,
      transactional: true,
      lock: 'ACCESS EXCLUSIVE',
    });
  if (needsFill && c.backfill !== null) {
    // Add it nullable, fill it, then make it NOT NULL without a long exclusive lock.
    steps.push(
      addBare(`add column ${name} ${col.type} (nullable until backfilled)`),
      ...setNotNull(t, col, c.backfill, ctx),
    );
  } else if (volatileDefault && col.default !== null) {
    // ADD COLUMN … DEFAULT volatile() rewrites the table under ACCESS EXCLUSIVE. Instead: add it bare
    // (catalog only), give new rows the default, fill existing rows in batches, then NOT NULL if wanted.
    const value = c.backfill ?? col.default;
    steps.push(
      addBare(
        `add column ${name} ${col.type} without its default (a volatile default would rewrite every row)`,
      ),
      draft({
        change: 'column.alter',
        target: columnTarget(t, col.name),
        description: `set default of ${name} to ${col.default} (rows inserted from now on get it)`,
        sql: `${alterTable(t)} ALTER COLUMN ${quoteIdent(col.name)} SET DEFAULT ${col.default}`,
        phase: 'columns',
        rank: 1,
        transactional: true,
        lock: 'ACCESS EXCLUSIVE',
      }),
      backfillStep(t, col, value, ctx, {
        subject: `${name} in the existing rows`,
        updated: `every existing row of ${displayName(t)} is updated, one value computed per row`,
      }),
      ...(col.notNull ? setNotNull(t, col, null, ctx) : []),
    );
  } else {
    const hazards = [];
    if (computed || volatileDefault) {
      hazards.push(
        hazard(
          'TABLE_REWRITE',
          severity,
          `every row of ${displayName(t)} is rewritten to compute the new value (${sizeText(stats)})`,
        ),
      );
    }
    if (needsFill) {
      hazards.push(
        hazard(
          'FULL_SCAN',
          severity,
          `NOT NULL without a default or backfill fails if ${displayName(t)} has rows; add backfill: to fill them`,
        ),
      );
    }
    steps.push(
      draft({
        change: c.kind,
        target: columnTarget(t, col.name),
        description: `add column ${name} ${col.type}${col.notNull ? ' NOT NULL' : ''}`,
        sql: `${alterTable(t)} ADD COLUMN ${renderColumnDefinition(col)}`,
        phase: 'columns',
        // A generated column is computed from the others: it is added after their type changes, which
        // PostgreSQL refuses while a generated column uses them.
        rank: col.generated !== null ? 3 : 1,
        transactional: true,
        lock: 'ACCESS EXCLUSIVE',
        hazards,
      }),
    );
  }
  if (col.comment !== null) steps.push(columnComment(t, col));
  return steps;
}

export function columnDrop(c: Of<'column.drop'>, ctx: PlanContext): StepDraft[] {
  const t = c.table;
  const stats = ctx.stats.get(qualifiedKey(t));
  const name = `${displayName(t)}.${c.column.name}`;
  return [
    draft({
      change: c.kind,
      target: columnTarget(t, c.column.name),
      description: `drop column ${name}`,
      sql: `${alterTable(t)} DROP COLUMN ${quoteIdent(c.column.name)}`,
      phase: 'drop-dependents',
      rank: 5,
      transactional: true,
      lock: 'ACCESS EXCLUSIVE',
      hazards: [
        hazard(
          'DELETES_DATA',
          stats && stats.estimatedRows > 0 ? 'high' : 'low',
          `the values of ${name} are deleted (${sizeText(stats)})`,
        ),
      ],
    }),
  ];
}

export function columnRename(c: Of<'column.rename'>): StepDraft[] {
  const name = displayName(c.table);
  return [
    draft({
      change: c.kind,
      target: target('column', `${name}.${c.to}`, c.table),
      description: `rename column ${name}.${c.from} to ${c.to}`,
      sql: `ALTER TABLE ${qualify(c.table)} RENAME COLUMN ${quoteIdent(c.from)} TO ${quoteIdent(c.to)}`,
      phase: 'columns',
      rank: 0,
      transactional: true,
      lock: 'ACCESS EXCLUSIVE',
    }),
  ];
}

function columnComment(t: Table, col: Column): StepDraft {
  const name = `${displayName(t)}.${col.name}`;
  return draft({
    change: 'column.comment',
    target: columnTarget(t, col.name),
    description: `${col.comment === null ? 'remove' : 'set'} comment on column ${name}`,
    sql: renderComment({ kind: 'column', table: t, column: col.name }, col.comment),
    phase: 'comments',
    transactional: true,
    lock: 'SHARE UPDATE EXCLUSIVE',
  });
}

/** Names of the indexes and index-backed constraints of `t` that have `column` as a key or INCLUDE column. */
function indexesUsing(t: Table, column: string): string[] {
  const names = [
    ...(t.primaryKey?.columns.includes(column) ? [t.primaryKey.name] : []),
    ...t.uniques.filter((u) => u.columns.includes(column)).map((u) => u.name),
    ...t.indexes
      .filter((i) => i.keys.some((k) => k.column === column) || i.include.includes(column))
      .map((i) => i.name),
  ];
  return names.sort();
}

export function columnAlter(c: Of<'column.alter'>, ctx: PlanContext): StepDraft[] {
  const t = c.table;
  const from = c.from;
  const to = c.column;
  const name = `${displayName(t)}.${to.name}`;
  const col = quoteIdent(to.name);
  const stats = ctx.stats.get(qualifiedKey(t));
  const fields = new Set(c.fields);
  const steps: StepDraft[] = [];
  const step = (description: string, sql: string, extra: Partial<StepDraft> = {}) =>
    steps.push(
      draft({
        change: 'column.alter',
        target: columnTarget(t, to.name),
        description,
        sql,
        phase: 'columns',
        rank: 1,
        transactional: true,
        lock: 'ACCESS EXCLUSIVE',
        ...extra,
      }),
    );

  const typeChanges = fields.has('type') || fields.has('collation');
  // A default written for the old type may not cast to the new one: drop it first, set it after.
  const dropDefaultFirst =
    from.default !== null && (typeChanges || fields.has('identity') || to.default === null);
  if (fields.has('identity') && from.identity !== null && to.identity === null) {
    step(`drop identity of ${name}`, `${alterTable(t)} ALTER COLUMN ${col} DROP IDENTITY`);
  }
  if (dropDefaultFirst) {
    step(`drop default of ${name}`, `${alterTable(t)} ALTER COLUMN ${col} DROP DEFAULT`);
  }
  if (typeChanges) {
    // A collation change alone keeps every stored value as it is: PostgreSQL keeps the table's file and only
    // rebuilds the indexes that sort by the column.
    const cost = fields.has('type') ? classifyTypeChange(from.type, to.type) : 'metadata-only';
    const hazards = [];
    const severity = sizeSeverity(stats);
    if (!fields.has('type') && indexesUsing(t, to.name).length > 0) {
      hazards.push(
        hazard(
          'INDEX_BUILD',
          severity,
          `indexes ${indexesUsing(t, to.name).join(', ')} are rebuilt under ACCESS EXCLUSIVE (${sizeText(stats)})`,
        ),
      );
    }
    if (cost === 'lossy') {
      hazards.push(
        hazard(
          'LOSSY_TYPE_CHANGE',
          'high',
          `${from.type} → ${to.type} can truncate or reject existing values`,
        ),
      );
    }
    if (cost !== 'metadata-only') {
      hazards.push(
        hazard(
          'TABLE_REWRITE',
          severity,
          `${displayName(t)} is rewritten under ACCESS EXCLUSIVE (${sizeText(stats)})`,
        ),
        hazard(
          'ACCESS_EXCLUSIVE_LOCK',
          severity,
          `reads and writes on ${displayName(t)} wait for the rewrite`,
        ),
      );
    }
    const collate = to.collation ? ` COLLATE ${quoteCollation(to.collation)}` : '';
    // USING only where PostgreSQL has no assignment cast to rely on; a widening stays metadata-only. An
    // enum casts to nothing but text (and text to any enum): from an enum, the way is through text. So is
    // any other pair PostgreSQL has no cast for (plan/casts.ts): each value through its text form.
    const array = from.type.endsWith('[]');
    const fromEnum = ctx.enumTypes?.has(array ? from.type.slice(0, -2) : from.type) ?? false;
    const via =
      fromEnum && !/^text(\[\])?$/.test(to.type)
        ? `::text${array ? '[]' : ''}`
        : ctx.castsThroughText?.has(castKey(from.type, to.type))
          ? '::text'
          : '';
    const using = fields.has('type') && cost !== 'metadata-only' ? ` USING ${col}${via}::${to.type}` : '';
    const what = fields.has('type')
      ? `change type of ${name} from ${from.type} to ${to.type}`
      : `change collation of ${name} from ${from.collation ?? 'default'} to ${to.collation ?? 'default'}`;
    step(
      `${what}${cost === 'metadata-only' ? ' (metadata only)' : ''}`,
      `${alterTable(t)} ALTER COLUMN ${col} TYPE ${to.type}${collate}${using}`,
      { rank: 1, hazards },
    );
  }
  if (fields.has('notNull')) {
    if (to.notNull) {
      steps.push(...setNotNull(t, to, c.backfill, ctx));
    } else {
      step(`allow NULL in ${name}`, `${alterTable(t)} ALTER COLUMN ${col} DROP NOT NULL`, { rank: 2 });
    }
  }
  if (fields.has('identity') && to.identity !== null) {
    if (from.identity === null) {
      // The NOT NULL that identity requires was set by the steps above.
      step(
        `make ${name} an identity column`,
        `${alterTable(t)} ALTER COLUMN ${col} ADD ${renderIdentity(to.identity)}`,
        {
          rank: 6,
        },
      );
    } else {
      const parts: string[] = [];
      if (from.identity.kind !== to.identity.kind) {
        parts.push(`SET GENERATED ${to.identity.kind === 'always' ? 'ALWAYS' : 'BY DEFAULT'}`);
      }
      const a = from.identity.options;
      const b = to.identity.options;
      if (a.start !== b.start) parts.push(`SET START WITH ${b.start}`);
      if (a.increment !== b.increment) parts.push(`SET INCREMENT BY ${b.increment}`);
      if (a.min !== b.min) parts.push(`SET MINVALUE ${b.min}`);
      if (a.max !== b.max) parts.push(`SET MAXVALUE ${b.max}`);
      if (a.cache !== b.cache) parts.push(`SET CACHE ${b.cache}`);
      if (a.cycle !== b.cycle) parts.push(b.cycle ? 'SET CYCLE' : 'SET NO CYCLE');
      if (parts.length > 0) {
        const move = renderMoveIntoRange({ kind: 'identity', table: t, column: to.name }, a, b);
        const alter = `${alterTable(t)} ALTER COLUMN ${col} ${parts.join(' ')}`;
        step(
          `change identity of ${name}${move ? ' (its sequence first moved into the new range if outside it)' : ''}`,
          move ? `${move};\n${alter}` : alter,
          { rank: 6 },
        );
      }
    }
  }
  if (to.default !== null && (fields.has('default') || dropDefaultFirst)) {
    step(
      `set default of ${name} to ${to.default}`,
      `${alterTable(t)} ALTER COLUMN ${col} SET DEFAULT ${to.default}`,
      {
        rank: 6,
      },
    );
  }
  if (fields.has('comment')) steps.push(columnComment(t, to));
  return steps;
}
