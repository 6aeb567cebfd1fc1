import { qualifiedKey } from '../model/keys.js';
import { checkForeignKeyTarget } from './check-fk-target.js';
import type { DiagnosticSink } from './diagnostic.js';
import { isIgnored } from './ignore.js';
import { originOf } from './origin.js';
import { didYouMean } from './suggest.js';
import type { DesiredSequence, DesiredTable } from './types.js';

/**
 * Each foreign key must point at a managed table (or one matched by `ignore`); omitted referenced columns
 * become the target's primary key, as PostgreSQL does. Returns the keys with references.columns filled in.
 */
export function checkForeignKeys(
  tables: readonly DesiredTable[],
  ignore: readonly string[],
  sink: DiagnosticSink,
): void {
  const byKey = new Map(tables.map((t) => [qualifiedKey(t), t]));
  const names = tables.map((t) => (t.schema === 'public' ? t.name : `${t.schema}.${t.name}`));
  for (const t of tables) {
    const notNull = new Set(t.columns.filter((c) => c.notNull).map((c) => c.name));
    for (const f of t.foreignKeys) {
      const o = originOf(f);
      const r = f.references;
      if (r.table === '') continue;
      const target = byKey.get(qualifiedKey({ schema: r.schema, name: r.table }));
      const display = r.schema === 'public' ? r.table : `${r.schema}.${r.table}`;
      const refPath = o.refColumnPath ? o.path : [...o.path, 'references', 'table'];
      if (!target) {
        if (isIgnored(ignore, r.schema, r.table)) {
          if (r.columns.length === 0) {
            sink.add(
              o.doc,
              [...o.path, 'references'],
              'missing-reference-columns',
              `foreign key ${f.name} references ignored table ${display} without naming its columns`,
              {
                hint: 'tidemark does not know the primary key of an ignored table; write references.columns',
              },
            );
          }
          continue;
        }
        sink.add(
          o.doc,
          o.refColumnPath ? o.refColumnPath(0) : refPath,
          'unknown-table',
          `foreign key ${f.name} references table ${display}, which is not defined`,
          {
            which: 'value',
            hint:
              didYouMean(display, names) ??
              'define the table in schema/, or add it to ignore in tidemark.yaml if another tool owns it',
          },
        );
        continue;
      }
      let refColumns = r.columns;
      if (refColumns.length === 0) {
        if (!target.primaryKey) {
          sink.add(
            o.doc,
            [...o.path, 'references'],
            'missing-reference-columns',
            `foreign key ${f.name} references table ${display}, which has no primary key`,
            {
              hint: 'write references.columns naming a unique key of the target',
            },
          );
          continue;
        }
        refColumns = target.primaryKey.columns;
        // Filling the default in place: the object was built by this load and is not shared yet.
        (r as { columns: readonly string[] }).columns = refColumns;
      } else {
        const targetColumns = target.columns.map((c) => c.name);
        refColumns.forEach((name, i) => {
          if (targetColumns.includes(name)) return;
          sink.add(
            o.doc,
            o.refColumnPath ? o.refColumnPath(i) : o.path,
            'unknown-column',
            `foreign key ${f.name} references column "${name}", which table ${display} does not have`,
            {
              which: 'value',
              hint: didYouMean(name, targetColumns) ?? `columns of ${display}: ${targetColumns.join(', ')}`,
            },
          );
        });
      }
      const targetColumns = new Set(target.columns.map((c) => c.name));
      if (refColumns.length === f.columns.length && refColumns.every((c) => targetColumns.has(c))) {
        checkForeignKeyTarget(t, f, target, display, sink);
      }
      if (refColumns.length !== f.columns.length) {
        sink.add(
          o.doc,
          [...o.path, 'columns'],
          'column-count-mismatch',
          `foreign key ${f.name} has ${f.columns.length} column(s) but references ${refColumns.length}`,
          {
            hint: 'list as many referencing columns as referenced ones, in the same order',
          },
        );
      }
      for (const action of ['onDelete', 'onUpdate'] as const) {
        const nullable = f.columns.filter((c) => notNull.has(c));
        if (f[action] === 'set null' && nullable.length > 0) {
          sink.add(
            o.doc,
            [...o.path, action],
            'set-null-on-not-null',
            `foreign key ${f.name} sets ${nullable.join(', ')} to NULL ${action === 'onDelete' ? 'on delete' : 'on update'}, but the column is NOT NULL`,
            {
              which: 'value',
              severity: 'warning',
              hint: 'such a delete will fail at runtime; use cascade or restrict, or make the column nullable',
            },
          );
        }
      }
    }
  }
}

export function checkSequenceOwners(
  sequences: readonly DesiredSequence[],
  tables: readonly DesiredTable[],
  sink: DiagnosticSink,
): void {
  for (const s of sequences) {
    if (!s.ownedBy) continue;
    const o = originOf(s);
    const t = tables.find((x) => x.schema === s.schema && x.name === s.ownedBy?.table);
    const path = [...o.path, 'ownedBy'];
    if (!t) {
      sink.add(
        o.doc,
        path,
        'unknown-table',
        `sequence ${s.name} is ownedBy table ${s.ownedBy.table}, which is not defined in schema ${s.schema}`,
        {
          which: 'value',
          hint: 'a sequence can only be owned by a table in its own schema',
        },
      );
    } else if (!t.columns.some((c) => c.name === s.ownedBy?.column)) {
      sink.add(
        o.doc,
        path,
        'unknown-column',
        `sequence ${s.name} is ownedBy column "${s.ownedBy.column}", which table ${t.name} does not have`,
        {
          which: 'value',
          hint:
            didYouMean(
              s.ownedBy.column,
              t.columns.map((c) => c.name),
            ) ?? `columns of ${t.name}: ${t.columns.map((c) => c.name).join(', ')}`,
        },
      );
    }
  }
}

/**
 * The one thing checkForeignKeys changes: a foreign key written without referenced columns references the
 * target's primary key. For a load that skips the checks because the same files passed them before.
 */
export function fillDefaultReferences(tables: readonly DesiredTable[]): void {
  const byKey = new Map(tables.map((t) => [qualifiedKey(t), t]));
  for (const t of tables) {
    for (const f of t.foreignKeys) {
      const r = f.references;
      if (r.columns.length > 0) continue;
      const target = byKey.get(qualifiedKey({ schema: r.schema, name: r.table }));
      if (target?.primaryKey) (r as { columns: readonly string[] }).columns = target.primaryKey.columns;
    }
  }
}
