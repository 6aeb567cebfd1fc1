import type { Change } from '../../diff/change.js';
import { displayName } from '../../model/keys.js';
import { qualify, quoteIdent, quoteLiteral } from '../../sql/quote.js';
import {
  renderComment,
  renderCreateEnum,
  renderCreateExtension,
  renderCreateSchema,
  renderCreateSequence,
  renderMoveIntoRange,
  renderSequenceOwnedBy,
} from '../../sql/render-objects.js';
import { renderSequenceOptions } from '../../sql/render-table.js';
import { draft, hazard, type PlanContext, type StepDraft, target } from './draft.js';

/** Steps for schemas, extensions, enums and sequences. */

type Of<K extends Change['kind']> = Extract<Change, { kind: K }>;

export function schemaCreate(c: Of<'schema.create'>): StepDraft[] {
  return [
    draft({
      change: c.kind,
      target: target('schema', c.name, null),
      description: `create schema ${c.name}`,
      sql: renderCreateSchema(c.name),
      phase: 'schemas',
      transactional: true,
      lock: 'none',
    }),
  ];
}

/**
 * An object the tables require and the target lacks, from its `requires:` SQL: after the enums (a domain may
 * be over one) and before the tables that use it. tidemark creates it and never alters or drops it.
 */
export function requiredCreate(c: Of<'required.create'>): StepDraft[] {
  const r = c.required;
  return [
    draft({
      change: c.kind,
      target: target(r.kind, r.name, null),
      description: `create ${r.kind} ${r.name}, which the tables require (created once, not managed)`,
      sql: r.sql.trim().replace(/;+$/, '').trimEnd(),
      phase: 'types',
      rank: 1,
      transactional: true,
      lock: 'none',
    }),
  ];
}

export function extensionSteps(
  c: Of<'extension.create' | 'extension.drop' | 'extension.update'>,
): StepDraft[] {
  const e = c.extension;
  const t = target('extension', e.name, null);
  switch (c.kind) {
    case 'extension.create':
      return [
        draft({
          change: c.kind,
          target: t,
          description: `install extension ${e.name}${e.version ? ` ${e.version}` : ''} in schema ${e.schema}`,
          sql: renderCreateExtension(e),
          phase: 'extensions',
          transactional: true,
          lock: 'none',
        }),
      ];
    case 'extension.update':
      return [
        draft({
          change: c.kind,
          target: t,
          description: `update extension ${e.name} from ${c.from ?? '?'} to ${e.version}`,
          sql: `ALTER EXTENSION ${quoteIdent(e.name)} UPDATE TO ${quoteLiteral(e.version ?? '')}`,
          phase: 'extensions',
          transactional: true,
          lock: 'none',
        }),
      ];
    case 'extension.drop':
      return [
        draft({
          change: c.kind,
          target: t,
          description: `drop extension ${e.name}`,
          sql: `DROP EXTENSION ${quoteIdent(e.name)}`,
          phase: 'drop-types',
          transactional: true,
          lock: 'none',
          hazards: [
            hazard('DELETES_DATA', 'medium', `extension ${e.name} and the objects it owns are removed`),
          ],
        }),
      ];
  }
}

export function enumSteps(
  c: Of<
    'enum.create' | 'enum.drop' | 'enum.rename' | 'enum.add-value' | 'enum.rename-value' | 'enum.comment'
  >,
): StepDraft[] {
  const e = c.enum;
  const name = displayName(e);
  const t = target('enum', name, null);
  const base = {
    change: c.kind,
    target: t,
    phase: 'types' as const,
    transactional: true,
    lock: 'none' as const,
  };
  switch (c.kind) {
    case 'enum.create': {
      const sql = [renderCreateEnum(e)];
      if (e.comment !== null) sql.push(renderComment({ kind: 'type', object: e }, e.comment));
      return [draft({ ...base, description: `create enum ${name}`, sql: sql.join(';\n') })];
    }
    case 'enum.drop':
      return [
        draft({
          ...base,
          phase: 'drop-types',
          description: `drop enum ${name}`,
          sql: `DROP TYPE ${qualify(e)}`,
        }),
      ];
    case 'enum.rename':
      return [
        draft({
          ...base,
          description: `rename enum ${displayName(c.from)} to ${e.name}`,
          sql: `ALTER TYPE ${qualify(c.from)} RENAME TO ${quoteIdent(e.name)}`,
        }),
      ];
    case 'enum.add-value':
      // A value added in a transaction cannot be used until that transaction commits.
      return [
        draft({
          ...base,
          rank: 2,
          description: `add value '${c.value}' to enum ${name}${c.before ? ` before '${c.before}'` : ''}`,
          sql: `ALTER TYPE ${qualify(e)} ADD VALUE ${quoteLiteral(c.value)}${c.before ? ` BEFORE ${quoteLiteral(c.before)}` : ''}`,
          ownTransaction: true,
        }),
      ];
    case 'enum.rename-value':
      return [
        draft({
          ...base,
          rank: 1,
          description: `rename value '${c.from}' of enum ${name} to '${c.to}'`,
          sql: `ALTER TYPE ${qualify(e)} RENAME VALUE ${quoteLiteral(c.from)} TO ${quoteLiteral(c.to)}`,
        }),
      ];
    case 'enum.comment':
      return [commentEnum(c, name)];
  }
}

function commentEnum(c: { enum: Of<'enum.comment'>['enum'] }, name: string): StepDraft {
  return draft({
    change: 'enum.comment',
    target: target('enum', name, null),
    description: `set comment on enum ${name}`,
    sql: renderComment({ kind: 'type', object: c.enum }, c.enum.comment),
    phase: 'comments',
    transactional: true,
    lock: 'none',
  });
}

/**
 * Values cannot be removed from an enum or reordered: the type is rebuilt beside the old one, each column
 * converted through text, and the old type dropped once nothing uses it (the tables and columns the plan
 * drops still do until they go). Rows holding a removed value make the cast fail, so the
 * step says which values go.
 *
 * The columns are converted in the columns phase, not with the new type: PostgreSQL parses every check and
 * index on a converted column again, and one holding a value of the old type (`s <> 'b'::mood__tidemark_old`)
 * no longer fits. The diff replaces those (diff/index.ts), and their drops come before the conversion.
 */
export function enumRecreate(c: Of<'enum.recreate'>, ctx: PlanContext): StepDraft[] {
  const e = c.enum;
  const name = displayName(e);
  const old = { schema: c.from.schema, name: `${c.from.name}__tidemark_old` };
  const statements = [`ALTER TYPE ${qualify(c.from)} RENAME TO ${quoteIdent(old.name)}`, renderCreateEnum(e)];
  // The comment belongs to the old type, which is dropped: the new type needs it set again.
  if (e.comment !== null) statements.push(renderComment({ kind: 'type', object: e }, e.comment));
  const tables = new Set<string>();
  const conversions: string[] = [];
  for (const { table, column, default: def } of c.columns) {
    tables.add(displayName(table));
    const col = quoteIdent(column.name);
    const type = column.type.endsWith('[]') ? `${qualify(e)}[]` : qualify(e);
    if (column.default !== null)
      conversions.push(`ALTER TABLE ${qualify(table)} ALTER COLUMN ${col} DROP DEFAULT`);
    conversions.push(
      `ALTER TABLE ${qualify(table)} ALTER COLUMN ${col} TYPE ${type} USING ${col}::text${column.type.endsWith('[]') ? '[]' : ''}::${type}`,
    );
    if (def !== null)
      conversions.push(`ALTER TABLE ${qualify(table)} ALTER COLUMN ${col} SET DEFAULT ${def}`);
  }
  const hazards = [];
  if (c.removedValues.length > 0) {
    hazards.push(
      hazard(
        'ENUM_VALUE_REMOVED',
        'high',
        `values ${c.removedValues.map((v) => `'${v}'`).join(', ')} are removed; rows holding them make this step fail`,
      ),
    );
  }
  if (c.columns.length > 0) {
    hazards.push(
      hazard('TABLE_REWRITE', 'medium', `columns are converted, rewriting ${[...tables].sort().join(', ')}`),
      hazard('ACCESS_EXCLUSIVE_LOCK', 'medium', 'the converted tables are locked against reads and writes'),
    );
  }
  void ctx;
  const steps = [
    draft({
      change: c.kind,
      target: target('enum', name, null),
      description: `rebuild enum ${name} with values ${e.values.map((v) => `'${v}'`).join(', ')}${c.columns.length > 0 ? '; its columns are converted later' : ''}`,
      sql: statements.join(';\n'),
      phase: 'types',
      rank: 3,
      transactional: true,
      lock: 'none',
      hazards: c.columns.length === 0 ? hazards : [],
    }),
  ];
  if (c.columns.length > 0) {
    steps.push(
      draft({
        change: c.kind,
        target: target('enum', name, null),
        description: `convert the columns of type ${name} to the rebuilt enum (${c.columns.map((x) => `${displayName(x.table)}.${x.column.name}`).join(', ')})`,
        sql: conversions.join(';\n'),
        // First in the columns phase: the other changes to these columns are written for the new type.
        phase: 'columns',
        rank: -1,
        transactional: true,
        lock: 'ACCESS EXCLUSIVE',
        hazards,
      }),
    );
  }
  // Dropped with the types, after the tables and columns the plan drops: those still use the old type.
  steps.push(
    draft({
      change: c.kind,
      target: target('enum', name, null),
      description: `drop ${displayName(old)}, the enum ${name} was rebuilt from`,
      sql: `DROP TYPE ${qualify(old)}`,
      phase: 'drop-types',
      transactional: true,
      lock: 'none',
    }),
  );
  return steps;
}

export function sequenceSteps(
  c: Of<'sequence.create' | 'sequence.drop' | 'sequence.alter' | 'sequence.owned-by'>,
): StepDraft[] {
  const s = c.sequence;
  const name = displayName(s);
  const t = target('sequence', name, null);
  switch (c.kind) {
    case 'sequence.create': {
      const { type, start, increment, min, max, cache, cycle } = s;
      const sql = [
        renderCreateSequence({ ...s, options: { type, start, increment, min, max, cache, cycle } }),
      ];
      if (s.comment !== null) sql.push(renderComment({ kind: 'sequence', object: s }, s.comment));
      return [
        draft({
          change: c.kind,
          target: t,
          description: `create sequence ${name}`,
          sql: sql.join(';\n'),
          phase: 'sequences',
          transactional: true,
          lock: 'none',
        }),
      ];
    }
    case 'sequence.alter': {
      const f = c.from;
      const options = renderSequenceOptions({
        type: s.type !== f.type ? s.type : undefined,
        start: s.start !== f.start ? s.start : undefined,
        increment: s.increment !== f.increment ? s.increment : undefined,
        min: s.min !== f.min ? s.min : undefined,
        max: s.max !== f.max ? s.max : undefined,
        cache: s.cache !== f.cache ? s.cache : undefined,
        cycle: s.cycle !== f.cycle ? s.cycle : undefined,
      });
      const steps: StepDraft[] = [];
      if (options) {
        const move = renderMoveIntoRange({ kind: 'sequence', sequence: s }, f, s);
        const alter = `ALTER SEQUENCE ${qualify(s)} ${options}`;
        steps.push(
          draft({
            change: c.kind,
            target: t,
            description: `alter sequence ${name}: ${options}${move ? ' (first moved into its new range if outside it)' : ''}`,
            sql: move ? `${move};\n${alter}` : alter,
            phase: 'sequences',
            transactional: true,
            lock: 'none',
          }),
        );
      }
      if (s.comment !== f.comment) steps.push(commentSequence(s, name));
      return steps;
    }
    case 'sequence.owned-by': {
      const steps: StepDraft[] = [];
      // An owned sequence is dropped with its owning column or table: released before any drop, so a
      // sequence that moves to another owner (or to none) outlives the column it leaves.
      if (c.previous !== null) {
        steps.push(
          draft({
            change: c.kind,
            target: t,
            description: `make sequence ${name} owned by no column (it leaves ${c.previous.table}.${c.previous.column})`,
            sql: renderSequenceOwnedBy(s, null),
            phase: 'drop-dependents',
            rank: -2,
            transactional: true,
            lock: 'none',
          }),
        );
      }
      if (s.ownedBy !== null) {
        steps.push(
          draft({
            change: c.kind,
            target: t,
            description: `make sequence ${name} owned by ${s.ownedBy.table}.${s.ownedBy.column}`,
            sql: renderSequenceOwnedBy(s, s.ownedBy),
            phase: 'columns',
            rank: 5,
            transactional: true,
            lock: 'none',
          }),
        );
      }
      return steps;
    }
    case 'sequence.drop':
      return [
        draft({
          change: c.kind,
          target: t,
          description: `drop sequence ${name}`,
          sql: `DROP SEQUENCE ${qualify(s)}`,
          phase: 'drop-types',
          transactional: true,
          lock: 'none',
          hazards: [hazard('DELETES_DATA', 'low', `sequence ${name} and its current value are lost`)],
        }),
      ];
  }
}

function commentSequence(s: Of<'sequence.create'>['sequence'], name: string): StepDraft {
  return draft({
    change: 'sequence.comment',
    target: target('sequence', name, null),
    description: `set comment on sequence ${name}`,
    sql: renderComment({ kind: 'sequence', object: s }, s.comment),
    phase: 'comments',
    transactional: true,
    lock: 'none',
  });
}
