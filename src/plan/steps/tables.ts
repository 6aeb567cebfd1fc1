import type { Change } from '../../diff/change.js';
import { displayName, qualifiedKey } from '../../model/keys.js';
import type { QualifiedName, Table } from '../../model/types.js';
import { qualify, quoteIdent } from '../../sql/quote.js';
import { renderComment } from '../../sql/render-objects.js';
import { renderCreateIndex, renderCreateTable, renderForeignKeyClause } from '../../sql/render-table.js';
import { draft, hazard, type PlanContext, type StepDraft, sizeSeverity, sizeText, target } from './draft.js';

type Of<K extends Change['kind']> = Extract<Change, { kind: K }>;

/**
 * A new table in plain, fastest form: it is empty and nobody uses it yet, so indexes are built normally and
 * foreign keys validated at once. Foreign keys are still separate steps after every table exists, so cycles
 * between new tables never block creation.
 */
export function tableCreate(c: Of<'table.create'>): StepDraft[] {
  const t = c.table;
  const name = displayName(t);
  const statements = [renderCreateTable(t), ...tableComments(t)];
  const steps: StepDraft[] = [
    draft({
      change: c.kind,
      target: target('table', name, t),
      description: `create table ${name} (${t.columns.length} columns)`,
      sql: statements.join(';\n'),
      phase: 'tables',
      rank: 1,
      transactional: true,
      lock: 'ACCESS EXCLUSIVE',
    }),
  ];
  for (const index of t.indexes) {
    const object = { schema: t.schema, name: index.name };
    const sql = [renderCreateIndex(t, index)];
    if (index.comment !== null) sql.push(renderComment({ kind: 'index', object }, index.comment));
    steps.push(
      draft({
        change: 'index.create',
        target: target('index', displayName(object), t),
        description: `create index ${index.name} on new table ${name}`,
        sql: sql.join(';\n'),
        phase: 'indexes',
        transactional: true,
        lock: 'SHARE',
      }),
    );
  }
  for (const fk of t.foreignKeys) {
    const sql = [`ALTER TABLE ${qualify(t)} ADD ${renderForeignKeyClause(fk)}`];
    if (fk.comment !== null)
      sql.push(renderComment({ kind: 'constraint', table: t, constraint: fk.name }, fk.comment));
    const ref = displayName({ schema: fk.references.schema, name: fk.references.table });
    steps.push(
      draft({
        change: 'fk.add',
        target: target('fk', `${name}.${fk.name}`, t),
        description: `add foreign key ${fk.name} on new table ${name} → ${ref}`,
        sql: sql.join(';\n'),
        phase: 'foreign-keys',
        transactional: true,
        lock: 'SHARE ROW EXCLUSIVE',
      }),
    );
  }
  return steps;
}

/** COMMENT statements for a new table, its columns and the constraints created with it. */
function tableComments(t: Table): string[] {
  const out: string[] = [];
  if (t.comment !== null) out.push(renderComment({ kind: 'table', object: t }, t.comment));
  for (const col of t.columns) {
    if (col.comment !== null)
      out.push(renderComment({ kind: 'column', table: t, column: col.name }, col.comment));
  }
  const constraints = [...(t.primaryKey ? [t.primaryKey] : []), ...t.uniques, ...t.checks];
  for (const con of constraints) {
    if (con.comment !== null)
      out.push(renderComment({ kind: 'constraint', table: t, constraint: con.name }, con.comment));
  }
  return out;
}

export function constraintComment(t: QualifiedName, constraint: string, comment: string | null): StepDraft {
  const name = displayName(t);
  return draft({
    change: 'constraint.comment',
    target: target('constraint', `${name}.${constraint}`, t),
    description: `${comment === null ? 'remove' : 'set'} comment on constraint ${constraint} of ${name}`,
    sql: renderComment({ kind: 'constraint', table: t, constraint }, comment),
    phase: 'comments',
    transactional: true,
    lock: 'SHARE UPDATE EXCLUSIVE',
  });
}

export function tableDrop(c: Of<'table.drop'>, ctx: PlanContext): StepDraft[] {
  const t = c.table;
  const name = displayName(t);
  const stats = ctx.stats.get(qualifiedKey(t));
  const steps: StepDraft[] = [];
  // Its foreign keys go first where they point at a table that is dropped too (so dropped tables that
  // reference each other can be dropped in any order) or one whose keys or columns change before the drop
  // (which the key would block).
  for (const fk of t.foreignKeys) {
    const referenced = qualifiedKey({ schema: fk.references.schema, name: fk.references.table });
    if (referenced === qualifiedKey(t)) continue;
    if (!ctx.droppedTables.has(referenced) && !ctx.rekeyedTables?.has(referenced)) continue;
    steps.push(
      draft({
        change: 'fk.drop',
        target: target('fk', `${name}.${fk.name}`, t),
        description: `drop foreign key ${fk.name} of dropped table ${name}`,
        sql: `ALTER TABLE ${qualify(t)} DROP CONSTRAINT ${quoteIdent(fk.name)}`,
        phase: 'drop-dependents',
        transactional: true,
        lock: 'ACCESS EXCLUSIVE',
      }),
    );
  }
  steps.push(
    draft({
      change: c.kind,
      target: target('table', name, t),
      description: `drop table ${name} (${sizeText(stats)})`,
      sql: `DROP TABLE ${qualify(t)}`,
      // Before the creations when one of them takes a name it holds (after the foreign keys into it).
      ...(ctx.earlyDrops?.has(qualifiedKey(t))
        ? { phase: 'drop-dependents' as const, rank: 1 }
        : { phase: 'drop-relations' as const }),
      transactional: true,
      lock: 'ACCESS EXCLUSIVE',
      hazards: [
        hazard(
          'DELETES_DATA',
          stats && stats.estimatedRows > 0 ? 'high' : sizeSeverity(stats),
          `table ${name} and all its rows are deleted (${sizeText(stats)})`,
        ),
      ],
    }),
  );
  return steps;
}

export function tableRename(c: Of<'table.rename'>): StepDraft[] {
  return [
    draft({
      change: c.kind,
      target: target('table', displayName(c.table), c.table),
      description: `rename table ${displayName(c.from)} to ${c.table.name}`,
      sql: `ALTER TABLE ${qualify(c.from)} RENAME TO ${quoteIdent(c.table.name)}`,
      // After enum rebuilds (which name the table as it is) and before every drop of a column, constraint
      // or index of the table, which name it as it will be.
      phase: 'drop-dependents',
      rank: -1,
      transactional: true,
      lock: 'ACCESS EXCLUSIVE',
    }),
  ];
}

export function tableComment(c: Of<'table.comment'>): StepDraft[] {
  const name = displayName(c.table);
  return [
    draft({
      change: c.kind,
      target: target('table', name, c.table),
      description: `${c.table.comment === null ? 'remove' : 'set'} comment on table ${name}`,
      sql: renderComment({ kind: 'table', object: c.table }, c.table.comment),
      phase: 'comments',
      transactional: true,
      lock: 'SHARE UPDATE EXCLUSIVE',
    }),
  ];
}
