import type { DesiredIndex, DesiredState, DesiredTable, SourceRef } from '../load/types.js';
import { qualifiedKey } from '../model/keys.js';
import { qualify, quoteIdent } from '../sql/quote.js';
import {
  renderComment,
  renderCreateEnum,
  renderCreateExtension,
  renderCreateSchema,
  renderCreateSequence,
  renderSequenceOwnedBy,
} from '../sql/render-objects.js';
import { renderCreateIndex, renderCreateTable, renderForeignKeyClause } from '../sql/render-table.js';

/**
 * The desired state as an ordered DDL script for an empty shadow database. Each statement remembers the
 * YAML position of the object it came from, so an error from PostgreSQL points back at the user's line.
 */
export interface CompileStatement {
  readonly sql: string;
  readonly source: SourceRef | null;
  /** What the statement creates, in words, for messages: `table public.children`. */
  readonly what: string;
  /** Key of the table this statement needs; it is skipped when that table failed. */
  readonly table: string | null;
  /**
   * `types`: schemas, extensions, enums (before the prelude); `sequences`; `tables`: a table and everything on
   * it alone (comments, indexes), independent of every other table; `links`: what ties tables together or
   * to sequences (foreign keys, OWNED BY), once all tables exist.
   */
  readonly stage: CompileStage;
}

export type CompileStage = 'types' | 'sequences' | 'tables' | 'links';

/**
 * `support` names tables compiled only because a compiled table's foreign key points at them: they get the
 * referenced columns and the keys over them (what a foreign key needs), and nothing that could point further
 * out.
 */
export function renderDesiredScript(
  state: DesiredState,
  tables: readonly DesiredTable[] = state.tables,
  support: ReadonlySet<string> = new Set(),
) {
  const out: CompileStatement[] = [];
  let stage: CompileStage = 'types';
  const push = (sql: string, what: string, source: SourceRef | null, table: string | null = null) =>
    out.push({ sql, what, source, table, stage });

  for (const schema of state.schemas) {
    if (schema !== 'public') push(`${renderCreateSchema(schema)}`, `schema ${schema}`, null);
  }
  for (const ext of state.extensions) push(renderCreateExtension(ext), `extension ${ext.name}`, ext.source);
  for (const e of state.enums) {
    push(renderCreateEnum(e), `enum ${qualify(e)}`, e.source);
    if (e.comment !== null)
      push(renderComment({ kind: 'type', object: e }, e.comment), `enum ${qualify(e)}`, e.source);
  }
  stage = 'sequences';
  for (const s of state.sequences) {
    push(renderCreateSequence(s), `sequence ${qualify(s)}`, s.source);
    if (s.comment !== null) {
      push(renderComment({ kind: 'sequence', object: s }, s.comment), `sequence ${qualify(s)}`, s.source);
    }
  }
  stage = 'tables';
  const referenced = referencedColumns(tables, support);
  for (const t of tables) {
    const key = qualifiedKey(t);
    const what = `table ${qualify(t)}`;
    if (support.has(key)) {
      const stub = supportStub(t, referenced.get(key) ?? []);
      push(renderCreateTable(stub.table), what, t.source, key);
      for (const i of stub.indexes) {
        push(renderCreateIndex(t, i), `index ${quoteIdent(i.name)} on ${qualify(t)}`, i.source, key);
      }
      continue;
    }
    push(renderCreateTable(t), what, t.source, key);
    if (t.comment !== null) push(renderComment({ kind: 'table', object: t }, t.comment), what, t.source, key);
    for (const c of t.columns) {
      if (c.comment !== null) {
        push(
          renderComment({ kind: 'column', table: t, column: c.name }, c.comment),
          `column ${what}`,
          c.source,
          key,
        );
      }
    }
    const constraints = [...(t.primaryKey ? [t.primaryKey] : []), ...t.uniques, ...t.checks];
    for (const c of constraints) {
      if (c.comment !== null) {
        push(
          renderComment({ kind: 'constraint', table: t, constraint: c.name }, c.comment),
          `constraint ${c.name}`,
          c.source,
          key,
        );
      }
    }
  }
  const tableKeys = new Set(tables.map(qualifiedKey));
  stage = 'links';
  for (const s of state.sequences) {
    // Ownership only once the owning table exists in this script.
    if (s.ownedBy && tableKeys.has(qualifiedKey({ schema: s.schema, name: s.ownedBy.table }))) {
      push(renderSequenceOwnedBy(s, s.ownedBy), `sequence ${qualify(s)}`, s.source);
    }
  }
  const full = tables.filter((t) => !support.has(qualifiedKey(t)));
  stage = 'tables';
  for (const t of full) {
    const key = qualifiedKey(t);
    for (const i of t.indexes) {
      push(renderCreateIndex(t, i), `index ${quoteIdent(i.name)} on ${qualify(t)}`, i.source, key);
      if (i.comment !== null) {
        const object = { schema: t.schema, name: i.name };
        push(
          renderComment({ kind: 'index', object }, i.comment),
          `index ${quoteIdent(i.name)}`,
          i.source,
          key,
        );
      }
    }
  }
  stage = 'links';
  for (const t of full) {
    const key = qualifiedKey(t);
    for (const fk of t.foreignKeys) {
      const what = `foreign key ${quoteIdent(fk.name)} on ${qualify(t)}`;
      push(`ALTER TABLE ${qualify(t)} ADD ${renderForeignKeyClause(fk, !fk.valid)}`, what, fk.source, key);
      if (fk.comment !== null) {
        push(
          renderComment({ kind: 'constraint', table: t, constraint: fk.name }, fk.comment),
          what,
          fk.source,
          key,
        );
      }
    }
  }
  return out;
}

/** For each support table, the column lists the compiled tables' foreign keys reference in it. */
function referencedColumns(
  tables: readonly DesiredTable[],
  support: ReadonlySet<string>,
): Map<string, (readonly string[])[]> {
  const out = new Map<string, (readonly string[])[]>();
  for (const t of tables) {
    if (support.has(qualifiedKey(t))) continue;
    for (const fk of t.foreignKeys) {
      const target = qualifiedKey({ schema: fk.references.schema, name: fk.references.table });
      if (!support.has(target)) continue;
      const lists = out.get(target) ?? [];
      lists.push(fk.references.columns);
      out.set(target, lists);
    }
  }
  return out;
}

/**
 * A table compiled only so foreign keys can point at it, reduced to what they need: the referenced columns
 * (plain: no default, identity or generated expression) and the keys over exactly those columns. Its own
 * compiled form is never used; the live table stands for it.
 */
function supportStub(
  t: DesiredTable,
  referenced: readonly (readonly string[])[],
): { table: DesiredTable; indexes: DesiredIndex[] } {
  const needed = new Set(referenced.flat());
  const within = (columns: readonly string[]) => columns.length > 0 && columns.every((c) => needed.has(c));
  const columns = t.columns
    .filter((c) => needed.has(c.name))
    .map((c) => ({ ...c, default: null, identity: null, generated: null, comment: null }));
  const primaryKey = t.primaryKey && within(t.primaryKey.columns) ? { ...t.primaryKey, comment: null } : null;
  const table = {
    ...t,
    columns,
    primaryKey,
    uniques: t.uniques.filter((u) => within(u.columns)).map((u) => ({ ...u, comment: null })),
    checks: [],
    foreignKeys: [],
    indexes: [],
    comment: null,
  };
  const indexes = t.indexes
    .filter((i) => i.unique && i.where === null && within(i.keys.map((k) => k.column ?? '')))
    .map((i) => ({ ...i, include: [], comment: null }));
  return { table, indexes };
}
