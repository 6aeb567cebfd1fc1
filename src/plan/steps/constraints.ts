import type { Change } from '../../diff/change.js';
import { displayName, qualifiedKey } from '../../model/keys.js';
import type { Index, QualifiedName, Table } from '../../model/types.js';
import { qualify, quoteIdent } from '../../sql/quote.js';
import {
  renderCheckClause,
  renderCreateIndex,
  renderDeferrable,
  renderForeignKeyClause,
  renderPrimaryKeyClause,
  renderUniqueClause,
} from '../../sql/render-table.js';
import { draft, hazard, type PlanContext, type StepDraft, sizeSeverity, sizeText, target } from './draft.js';
import { swapIndexName } from './indexes.js';
import { keySwapKey } from './key-swap.js';
import { constraintComment } from './tables.js';

type Of<K extends Change['kind']> = Extract<Change, { kind: K }>;

function isNew(t: QualifiedName, ctx: PlanContext): boolean {
  return ctx.newTables.has(qualifiedKey(t));
}

function conTarget(kind: string, t: Table, name: string) {
  return target(kind, `${displayName(t)}.${name}`, t);
}

function dropConstraint(
  change: string,
  kind: string,
  t: Table,
  name: string,
  description: string,
): StepDraft {
  return draft({
    change,
    target: conTarget(kind, t, name),
    description,
    sql: `ALTER TABLE ${qualify(t)} DROP CONSTRAINT ${quoteIdent(name)}`,
    phase: 'drop-dependents',
    rank: change === 'fk.drop' ? 0 : 2,
    transactional: true,
    lock: 'ACCESS EXCLUSIVE',
  });
}

/**
 * A unique or primary key on a table that already has rows: the index is built CONCURRENTLY (writes go on),
 * then attached as the constraint with USING INDEX, a catalog-only change. When it replaces a key (see
 * key-swap.ts), the index is built under a temporary name next to the old key, and the old constraint is
 * dropped in the transaction that attaches the new one.
 */
function constraintFromIndex(
  change: string,
  kind: 'pk' | 'unique',
  t: Table,
  name: string,
  index: Index,
  attach: string,
  ctx: PlanContext,
  suffix = '',
): StepDraft[] {
  const stats = ctx.stats.get(qualifiedKey(t));
  const what = kind === 'pk' ? 'primary key' : 'unique constraint';
  const swap = ctx.replacedKeys?.get(keySwapKey(kind, t, name));
  const replaces = swap?.old;
  const built = replaces === undefined ? name : swapIndexName(t, { ...index, name });
  const steps = [
    draft({
      change: 'index.create',
      target: target('index', displayName({ schema: t.schema, name }), t),
      description:
        replaces === undefined
          ? `build unique index ${name} on ${displayName(t)} concurrently (writes continue)`
          : `build the unique index of the new ${what} ${name} on ${displayName(t)} concurrently as ${built}, next to the old one (writes continue; ${replaces} keeps enforcing uniqueness)`,
      sql: renderCreateIndex(t, index, { concurrently: true, name: built }),
      phase: 'constraints',
      rank: 0,
      transactional: false,
      lock: 'SHARE UPDATE EXCLUSIVE',
      hazards: [
        hazard(
          'INDEX_BUILD',
          sizeSeverity(stats),
          `builds an index over ${displayName(t)} (${sizeText(stats)})`,
        ),
        hazard(
          'NON_TRANSACTIONAL',
          'low',
          'runs outside a transaction; an interrupted build leaves an INVALID index that apply rebuilds',
        ),
      ],
    }),
  ];
  if (replaces !== undefined) {
    for (const { table, foreignKey } of swap?.dependents ?? []) {
      const drop = dropConstraint(
        'fk.drop',
        'fk',
        table,
        foreignKey.name,
        `drop foreign key ${foreignKey.name} of ${displayName(table)}, which depends on ${replaces}; added back right after the swap`,
      );
      steps.push({ ...drop, phase: 'constraints', rank: 1 });
    }
    steps.push(
      draft({
        change: `${kind}.drop`,
        target: conTarget(kind, t, replaces),
        description: `drop the old ${what} ${replaces} of ${displayName(t)}; the new one is attached in the same transaction`,
        sql: `ALTER TABLE ${qualify(t)} DROP CONSTRAINT ${quoteIdent(replaces)}`,
        phase: 'constraints',
        rank: 1,
        transactional: true,
        lock: 'ACCESS EXCLUSIVE',
      }),
    );
  }
  steps.push(
    draft({
      change,
      target: conTarget(kind, t, name),
      description: `attach index ${built} as the ${what} ${replaces === undefined ? '' : `${name} `}of ${displayName(t)}`,
      sql: `ALTER TABLE ${qualify(t)} ADD CONSTRAINT ${quoteIdent(name)} ${attach} USING INDEX ${quoteIdent(built)}${suffix}`,
      phase: 'constraints',
      rank: 1,
      transactional: true,
      lock: 'ACCESS EXCLUSIVE',
    }),
  );
  for (const { table, foreignKey } of swap?.dependents ?? []) {
    steps.push(
      draft({
        change: 'fk.add',
        target: conTarget('fk', table, foreignKey.name),
        description: `add foreign key ${foreignKey.name} of ${displayName(table)} back, now on ${name} (NOT VALID, validated next)`,
        sql: `ALTER TABLE ${qualify(table)} ADD ${renderForeignKeyClause(foreignKey, true)}`,
        phase: 'constraints',
        rank: 1,
        transactional: true,
        lock: 'SHARE ROW EXCLUSIVE',
      }),
    );
    if (foreignKey.valid) steps.push(validateStep('fk.validate', 'fk', table, foreignKey.name, ctx));
    if (foreignKey.comment !== null)
      steps.push(constraintComment(table, foreignKey.name, foreignKey.comment));
  }
  return steps;
}

export function primaryKeySteps(c: Of<'pk.add' | 'pk.drop'>, ctx: PlanContext): StepDraft[] {
  const t = c.table;
  const pk = c.primaryKey;
  if (c.kind === 'pk.drop') {
    // A key replaced online is dropped by the steps of its replacement.
    if (ctx.replacedKeys?.has(keySwapKey('pk', t, pk.name))) return [];
    return [dropConstraint(c.kind, 'pk', t, pk.name, `drop primary key ${pk.name} of ${displayName(t)}`)];
  }
  const steps = isNew(t, ctx)
    ? [
        draft({
          change: c.kind,
          target: conTarget('pk', t, pk.name),
          description: `add primary key ${pk.name} (${pk.columns.join(', ')}) to ${displayName(t)}`,
          sql: `ALTER TABLE ${qualify(t)} ADD ${renderPrimaryKeyClause(pk)}`,
          phase: 'constraints',
          transactional: true,
          lock: 'ACCESS EXCLUSIVE',
        }),
      ]
    : constraintFromIndex(
        c.kind,
        'pk',
        t,
        pk.name,
        uniqueIndex(pk.name, pk.columns, false),
        'PRIMARY KEY',
        ctx,
      );
  if (pk.comment !== null) steps.push(constraintComment(t, pk.name, pk.comment));
  return steps;
}

function uniqueIndex(name: string, columns: readonly string[], nullsNotDistinct: boolean): Index {
  return {
    name,
    unique: true,
    method: 'btree',
    keys: columns.map((column) => ({
      column,
      expression: null,
      opclass: null,
      collation: null,
      order: 'asc',
      nulls: null,
    })),
    include: [],
    where: null,
    nullsNotDistinct,
    valid: true,
    comment: null,
  };
}

export function uniqueSteps(c: Of<'unique.add' | 'unique.drop'>, ctx: PlanContext): StepDraft[] {
  const t = c.table;
  const u = c.unique;
  if (c.kind === 'unique.drop') {
    if (ctx.replacedKeys?.has(keySwapKey('unique', t, u.name))) return [];
    return [
      dropConstraint(c.kind, 'unique', t, u.name, `drop unique constraint ${u.name} of ${displayName(t)}`),
    ];
  }
  const steps = isNew(t, ctx)
    ? [
        draft({
          change: c.kind,
          target: conTarget('unique', t, u.name),
          description: `add unique constraint ${u.name} (${u.columns.join(', ')}) to ${displayName(t)}`,
          sql: `ALTER TABLE ${qualify(t)} ADD ${renderUniqueClause(u)}`,
          phase: 'constraints',
          transactional: true,
          lock: 'ACCESS EXCLUSIVE',
        }),
      ]
    : constraintFromIndex(
        c.kind,
        'unique',
        t,
        u.name,
        uniqueIndex(u.name, u.columns, u.nullsNotDistinct),
        'UNIQUE',
        ctx,
        renderDeferrable(u.deferrable),
      );
  if (u.comment !== null) steps.push(constraintComment(t, u.name, u.comment));
  return steps;
}

export function checkSteps(
  c: Of<'check.add' | 'check.drop' | 'check.validate'>,
  ctx: PlanContext,
): StepDraft[] {
  const t = c.table;
  const check = c.check;
  const stats = ctx.stats.get(qualifiedKey(t));
  switch (c.kind) {
    case 'check.drop':
      return [
        dropConstraint(c.kind, 'check', t, check.name, `drop check ${check.name} of ${displayName(t)}`),
      ];
    case 'check.validate':
      return [validateStep(c.kind, 'check', t, check.name, ctx)];
    case 'check.add': {
      const fresh = isNew(t, ctx);
      // On a table with rows: NOT VALID (catalog only), then VALIDATE in its own transaction, which scans
      // under SHARE UPDATE EXCLUSIVE so writes continue.
      const steps = [
        draft({
          change: c.kind,
          target: conTarget('check', t, check.name),
          description: `add check ${check.name} to ${displayName(t)}: ${check.expression}${fresh ? '' : ' (NOT VALID, validated next)'}`,
          sql: `ALTER TABLE ${qualify(t)} ADD ${renderCheckClause(check, !fresh || !check.valid)}`,
          phase: 'constraints',
          rank: 2,
          transactional: true,
          lock: 'ACCESS EXCLUSIVE',
        }),
      ];
      if (!fresh && check.valid) steps.push(validateStep('check.validate', 'check', t, check.name, ctx));
      if (check.comment !== null) steps.push(constraintComment(t, check.name, check.comment));
      void stats;
      return steps;
    }
  }
}

function validateStep(change: string, kind: string, t: Table, name: string, ctx: PlanContext): StepDraft {
  const stats = ctx.stats.get(qualifiedKey(t));
  return draft({
    change,
    target: conTarget(kind, t, name),
    description: `validate ${kind === 'fk' ? 'foreign key' : 'check'} ${name} on existing rows of ${displayName(t)} (writes continue)`,
    sql: `ALTER TABLE ${qualify(t)} VALIDATE CONSTRAINT ${quoteIdent(name)}`,
    phase: 'validate',
    transactional: true,
    ownTransaction: true,
    lock: 'SHARE UPDATE EXCLUSIVE',
    hazards: [hazard('FULL_SCAN', sizeSeverity(stats), `${displayName(t)} is scanned (${sizeText(stats)})`)],
  });
}

export function foreignKeySteps(c: Of<'fk.add' | 'fk.drop' | 'fk.validate'>, ctx: PlanContext): StepDraft[] {
  const t = c.table;
  const fk = c.foreignKey;
  switch (c.kind) {
    case 'fk.drop':
      return [dropConstraint(c.kind, 'fk', t, fk.name, `drop foreign key ${fk.name} of ${displayName(t)}`)];
    case 'fk.validate':
      return [validateStep(c.kind, 'fk', t, fk.name, ctx)];
    case 'fk.add': {
      const fresh = isNew(t, ctx);
      const ref = displayName({ schema: fk.references.schema, name: fk.references.table });
      const steps = [
        draft({
          change: c.kind,
          target: conTarget('fk', t, fk.name),
          description: `add foreign key ${fk.name} ${displayName(t)}(${fk.columns.join(', ')}) → ${ref}(${fk.references.columns.join(', ')})${fk.onDelete !== 'no action' ? ` ON DELETE ${fk.onDelete.toUpperCase()}` : ''}${fresh ? '' : ' (NOT VALID, validated next)'}`,
          sql: `ALTER TABLE ${qualify(t)} ADD ${renderForeignKeyClause(fk, !fresh || !fk.valid)}`,
          phase: 'foreign-keys',
          transactional: true,
          lock: 'SHARE ROW EXCLUSIVE',
        }),
      ];
      if (!fresh && fk.valid) steps.push(validateStep('fk.validate', 'fk', t, fk.name, ctx));
      if (fk.comment !== null) steps.push(constraintComment(t, fk.name, fk.comment));
      return steps;
    }
  }
}

export function constraintRename(c: Of<'constraint.rename'>): StepDraft[] {
  const name = displayName(c.table);
  return [
    draft({
      change: c.kind,
      target: target('constraint', `${name}.${c.to}`, c.table),
      description: `rename constraint ${c.from} of ${name} to ${c.to}`,
      sql: `ALTER TABLE ${qualify(c.table)} RENAME CONSTRAINT ${quoteIdent(c.from)} TO ${quoteIdent(c.to)}`,
      phase: 'constraints',
      rank: 0,
      transactional: true,
      lock: 'ACCESS EXCLUSIVE',
    }),
  ];
}

export function constraintCommentChange(c: Of<'constraint.comment'>): StepDraft[] {
  return [constraintComment(c.table, c.name, c.comment)];
}
