import { createHash } from 'node:crypto';
import type { Change } from '../../diff/change.js';
import { displayName, memberKey, qualifiedKey } from '../../model/keys.js';
import type { Index, QualifiedName, Table } from '../../model/types.js';
import { qualify, quoteIdent } from '../../sql/quote.js';
import { renderComment } from '../../sql/render-objects.js';
import { renderCreateIndex } from '../../sql/render-table.js';
import type { Hazard } from '../types.js';
import { draft, hazard, type PlanContext, type StepDraft, sizeSeverity, sizeText, target } from './draft.js';

type Of<K extends Change['kind']> = Extract<Change, { kind: K }>;

/**
 * Indexes on tables that already exist are built and dropped CONCURRENTLY. An index whose definition changes
 * is replaced build-new-then-swap: the new definition is built next to the old one (under a temporary name
 * when it keeps its name), the old one dropped, the new one renamed into place. The table is never without
 * the index, and a unique index never stops enforcing uniqueness.
 */

export function indexSteps(
  c: Of<'index.create' | 'index.drop' | 'index.rename' | 'index.comment'>,
  ctx: PlanContext,
): StepDraft[] {
  const t = c.table;
  switch (c.kind) {
    case 'index.rename':
      return [
        draft({
          change: c.kind,
          target: target('index', displayName({ schema: t.schema, name: c.to }), t),
          description: `rename index ${c.from} to ${c.to}`,
          sql: `ALTER INDEX ${qualify({ schema: t.schema, name: c.from })} RENAME TO ${quoteIdent(c.to)}`,
          phase: 'indexes',
          rank: 0,
          transactional: true,
          lock: 'SHARE UPDATE EXCLUSIVE',
        }),
      ];
    case 'index.comment':
      return [
        draft({
          change: c.kind,
          target: target('index', displayName({ schema: t.schema, name: c.index.name }), t),
          description: `${c.index.comment === null ? 'remove' : 'set'} comment on index ${c.index.name}`,
          sql: renderComment(
            { kind: 'index', object: { schema: t.schema, name: c.index.name } },
            c.index.comment,
          ),
          phase: 'comments',
          transactional: true,
          lock: 'SHARE UPDATE EXCLUSIVE',
        }),
      ];
    case 'index.drop':
      // A replaced index is dropped by the steps of its replacement, once the new one is built.
      return ctx.replacedIndexes?.has(memberKey(t, c.index.name)) ? [] : [indexDrop(c, ctx)];
    case 'index.create': {
      const table = c.table;
      const steps =
        c.replaces !== undefined && ctx.replacedIndexes?.has(memberKey(table, c.replaces.name))
          ? indexReplace(table, c.index, c.replaces, ctx)
          : [indexCreate(table, c.index, ctx)];
      if (c.index.comment !== null)
        steps.push(...indexSteps({ kind: 'index.comment', table, index: c.index }, ctx));
      return steps;
    }
  }
}

function dropSql(t: QualifiedName, index: Index): string {
  return `DROP INDEX CONCURRENTLY IF EXISTS ${qualify({ schema: t.schema, name: index.name })}`;
}

const DROP_NON_TRANSACTIONAL = hazard('NON_TRANSACTIONAL', 'low', 'runs outside a transaction');

function indexDrop(c: Of<'index.drop'>, ctx: PlanContext): StepDraft {
  const t = c.table;
  const stats = ctx.stats.get(qualifiedKey(t));
  return draft({
    change: c.kind,
    target: target('index', displayName({ schema: t.schema, name: c.index.name }), t),
    description: `drop index ${c.index.name} of ${displayName(t)} concurrently${c.index.valid ? '' : ' (it is INVALID)'}`,
    sql: dropSql(t, c.index),
    phase: 'drop-dependents',
    rank: 1,
    transactional: false,
    lock: 'SHARE UPDATE EXCLUSIVE',
    hazards: [
      hazard(
        'INDEX_DROPPED',
        sizeSeverity(stats),
        `queries using ${c.index.name} lose it (${sizeText(stats)})`,
      ),
      DROP_NON_TRANSACTIONAL,
    ],
  });
}

function buildHazards(t: Table, ctx: PlanContext): Hazard[] {
  const stats = ctx.stats.get(qualifiedKey(t));
  return [
    hazard('INDEX_BUILD', sizeSeverity(stats), `builds an index over ${displayName(t)} (${sizeText(stats)})`),
    hazard(
      'NON_TRANSACTIONAL',
      'low',
      'runs outside a transaction; an interrupted build leaves an INVALID index that apply rebuilds',
    ),
  ];
}

function indexCreate(t: Table, index: Index, ctx: PlanContext): StepDraft {
  const fresh = ctx.newTables.has(qualifiedKey(t));
  return draft({
    change: 'index.create',
    target: target('index', displayName({ schema: t.schema, name: index.name }), t),
    description: fresh
      ? `create index ${index.name} on new table ${displayName(t)}`
      : `build index ${index.name} on ${displayName(t)} concurrently (writes continue)`,
    sql: renderCreateIndex(t, index, { concurrently: !fresh }),
    phase: 'indexes',
    rank: 1,
    transactional: fresh,
    lock: fresh ? 'SHARE' : 'SHARE UPDATE EXCLUSIVE',
    hazards: fresh ? [] : buildHazards(t, ctx),
  });
}

/**
 * Build the new definition beside the old one, drop the old one, and (when the name stays) rename the new
 * one into place: consecutive steps, so the old and the new definition coexist only as long as needed.
 */
function indexReplace(t: Table, index: Index, old: Index, ctx: PlanContext): StepDraft[] {
  const stats = ctx.stats.get(qualifiedKey(t));
  const sameName = old.name === index.name;
  const built = sameName ? swapIndexName(t, index) : index.name;
  const invalid = old.valid ? '' : ' (it is INVALID)';
  const unique =
    old.valid && old.unique && index.unique
      ? `; ${old.name} keeps enforcing uniqueness until the new index is valid`
      : '';
  // Uniqueness given up is the one thing the table really loses with the old definition.
  const losesUnique = old.unique && !index.unique;
  const steps: StepDraft[] = [
    draft({
      change: 'index.create',
      target: target('index', displayName({ schema: t.schema, name: index.name }), t),
      description: sameName
        ? `build the new definition of index ${index.name} on ${displayName(t)} concurrently as ${built}, next to the old one${invalid} (writes continue${unique})`
        : `build index ${index.name} on ${displayName(t)} concurrently to replace ${old.name}${invalid} (writes continue${unique})`,
      sql: renderCreateIndex(t, index, { concurrently: true, name: built }),
      phase: 'indexes',
      rank: 1,
      transactional: false,
      lock: 'SHARE UPDATE EXCLUSIVE',
      hazards: buildHazards(t, ctx),
    }),
    draft({
      change: 'index.drop',
      target: target('index', displayName({ schema: t.schema, name: old.name }), t),
      description: `drop the old definition of index ${old.name} of ${displayName(t)} concurrently${invalid} (${built} replaces it)`,
      sql: dropSql(t, old),
      phase: 'indexes',
      rank: 1,
      transactional: false,
      lock: 'SHARE UPDATE EXCLUSIVE',
      hazards: [
        hazard(
          'INDEX_DROPPED',
          losesUnique ? sizeSeverity(stats) : 'low',
          losesUnique
            ? `${old.name} is replaced by a non-unique index: ${displayName(t)} stops enforcing uniqueness (${sizeText(stats)})`
            : `${old.name} is replaced by ${built}, built in the step before (${sizeText(stats)})`,
        ),
        DROP_NON_TRANSACTIONAL,
      ],
    }),
  ];
  if (sameName) {
    steps.push(
      draft({
        change: 'index.rename',
        target: target('index', displayName({ schema: t.schema, name: index.name }), t),
        description: `rename ${built} to ${index.name}, completing the swap (catalog only; locks the index, not the table)`,
        sql: `ALTER INDEX ${qualify({ schema: t.schema, name: built })} RENAME TO ${quoteIdent(index.name)}`,
        phase: 'indexes',
        rank: 1,
        transactional: true,
        // Since PostgreSQL 12, renaming an index takes SHARE UPDATE EXCLUSIVE on the index alone.
        lock: 'SHARE UPDATE EXCLUSIVE',
      }),
    );
  }
  return steps;
}

const SWAP_MARK = '_tidemark_';

/**
 * The temporary name a replacement index is built under: the index's name, cut to fit PostgreSQL's 63 bytes,
 * then `_tidemark_` and a hash of the new definition. Deterministic (a rerun of the same plan finds the same
 * name) and never a name a user writes.
 */
export function swapIndexName(t: QualifiedName, index: Index): string {
  const hash = createHash('sha256').update(renderCreateIndex(t, index)).digest('hex').slice(0, 8);
  const suffix = `${SWAP_MARK}${hash}`;
  const base = Buffer.from(index.name)
    .subarray(0, 63 - suffix.length)
    .toString()
    .replace(/\uFFFD+$/, '');
  return `${base}${suffix}`;
}

/**
 * Live indexes (by member key) that are replaced online. An index stays on
 * the plain drop-then-build path when keeping the old one around would get in the way:
 *  - its table's columns change type or collation, or an enum they use is rebuilt: PostgreSQL rebuilds every
 *    index on such a column under ACCESS EXCLUSIVE anyway, and the old definition may not fit the new type;
 *  - the plan creates another object under its name in the same schema, which needs the name free early.
 */
export function onlineIndexReplacements(changes: readonly Change[]): Set<string> {
  const newTables = new Set<string>();
  const rewritten = new Set<string>();
  const claimed = new Set<string>();
  const claim = (schema: string, name: string) => claimed.add(qualifiedKey({ schema, name }));
  for (const c of changes) {
    switch (c.kind) {
      case 'column.alter':
        if (c.fields.includes('type') || c.fields.includes('collation')) rewritten.add(qualifiedKey(c.table));
        break;
      case 'enum.recreate':
        for (const col of c.columns) rewritten.add(qualifiedKey(col.table));
        break;
      case 'table.create':
        newTables.add(qualifiedKey(c.table));
        claim(c.table.schema, c.table.name);
        for (const i of c.table.indexes) claim(c.table.schema, i.name);
        for (const u of c.table.uniques) claim(c.table.schema, u.name);
        if (c.table.primaryKey) claim(c.table.schema, c.table.primaryKey.name);
        break;
      case 'table.rename':
        claim(c.table.schema, c.table.name);
        break;
      case 'sequence.create':
        claim(c.sequence.schema, c.sequence.name);
        break;
      case 'index.rename':
      case 'constraint.rename':
        claim(c.table.schema, c.to);
        break;
      case 'unique.add':
        claim(c.table.schema, c.unique.name);
        break;
      case 'pk.add':
        claim(c.table.schema, c.primaryKey.name);
        break;
      case 'index.create':
        // A replacement under the same name takes the name only after the old index is gone.
        if (c.replaces?.name !== c.index.name) claim(c.table.schema, c.index.name);
        break;
      default:
        break;
    }
  }
  const out = new Set<string>();
  for (const c of changes) {
    if (c.kind !== 'index.create' || c.replaces === undefined) continue;
    const key = qualifiedKey(c.table);
    if (newTables.has(key) || rewritten.has(key)) continue;
    if (claimed.has(qualifiedKey({ schema: c.table.schema, name: c.replaces.name }))) continue;
    out.add(memberKey(c.table, c.replaces.name));
  }
  return out;
}
