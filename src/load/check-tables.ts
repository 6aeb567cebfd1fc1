import { qualifiedKey } from '../model/keys.js';
import { checkLength, checkRenames } from './check-names.js';
import type { DiagnosticSink } from './diagnostic.js';
import { isIgnored } from './ignore.js';
import { originOf } from './origin.js';
import type { DataPath } from './source.js';
import { didYouMean } from './suggest.js';
import type { DesiredColumn, DesiredSequence, DesiredTable } from './types.js';

/**
 * Checks inside and between tables: every column a constraint, index or foreign key names exists, foreign
 * keys point at a managed (or ignored) table, and column options that PostgreSQL would reject together.
 */

const INTEGER_TYPES = new Set(['smallint', 'int2', 'integer', 'int', 'int4', 'bigint', 'int8']);
const SERIAL_TYPES: Record<string, string> = {
  smallserial: 'smallint',
  serial2: 'smallint',
  serial: 'integer',
  serial4: 'integer',
  bigserial: 'bigint',
  serial8: 'bigint',
};

function normalType(type: string): string {
  return type.trim().toLowerCase().replace(/\s+/g, ' ');
}

export function checkTable(t: DesiredTable, sink: DiagnosticSink): void {
  checkLength(t, t.name, 'table', sink);
  const columnNames = t.columns.map((c) => c.name);
  const has = new Set(columnNames);
  for (const c of t.columns) checkColumn(t, c, sink);
  checkRenames('column', t.columns, ` in table ${t.name}`, sink);

  const mustExist = (
    value: object,
    columns: readonly string[],
    what: string,
    pathOf?: (i: number) => DataPath,
  ) => {
    const o = originOf(value);
    columns.forEach((name, i) => {
      if (has.has(name)) return;
      sink.add(
        o.doc,
        pathOf ? pathOf(i) : o.path,
        'unknown-column',
        `${what} names column "${name}", which table ${t.name} does not have`,
        {
          which: 'value',
          hint: didYouMean(name, columnNames) ?? `columns of ${t.name}: ${columnNames.join(', ')}`,
        },
      );
    });
  };
  if (t.primaryKey) {
    checkLength(t.primaryKey, t.primaryKey.name, 'primary key', sink);
    mustExist(
      t.primaryKey,
      t.primaryKey.columns,
      `primary key ${t.primaryKey.name}`,
      originOf(t.primaryKey).columnPath,
    );
  }
  for (const u of t.uniques) {
    checkLength(u, u.name, 'constraint', sink);
    mustExist(u, u.columns, `unique constraint ${u.name}`, originOf(u).columnPath);
  }
  for (const k of t.checks) checkLength(k, k.name, 'constraint', sink);
  for (const f of t.foreignKeys) {
    checkLength(f, f.name, 'constraint', sink);
    mustExist(f, f.columns, `foreign key ${f.name}`, originOf(f).columnPath);
  }
  for (const x of t.indexes) {
    checkLength(x, x.name, 'index', sink);
    const o = originOf(x);
    x.keys.forEach((k, i) => {
      if (k.column !== null) mustExist(x, [k.column], `index ${x.name}`, () => o.columnPath?.(i) ?? o.path);
    });
    mustExist(x, x.include, `index ${x.name} include`, o.includePath);
    if (x.unique && x.method !== 'btree') {
      sink.add(
        o.doc,
        [...o.path, 'method'],
        'invalid-index',
        `index ${x.name} is unique, but ${x.method} indexes cannot be unique`,
        {
          which: 'value',
          hint: 'only btree supports unique indexes; remove method or unique',
        },
      );
    }
    if (x.nullsNotDistinct && !x.unique) {
      sink.add(
        o.doc,
        [...o.path, 'nullsNotDistinct'],
        'invalid-index',
        `index ${x.name} sets nullsNotDistinct but is not unique`,
        {
          hint: 'add unique: true, or remove nullsNotDistinct',
        },
      );
    }
  }
  const constraints = [...(t.primaryKey ? [t.primaryKey] : []), ...t.uniques, ...t.checks, ...t.foreignKeys];
  checkRenames('constraint', constraints, ` on table ${t.name}`, sink);
  checkRenames('index', t.indexes, ` on table ${t.name}`, sink);
}

function checkColumn(t: DesiredTable, c: DesiredColumn, sink: DiagnosticSink): void {
  const o = originOf(c);
  checkLength(c, c.name, 'column', sink);
  const type = normalType(c.type);
  const serialBase = SERIAL_TYPES[type];
  if (serialBase !== undefined) {
    sink.add(
      o.doc,
      [...o.path, 'type'],
      'serial-type',
      `column ${t.name}.${c.name} uses ${type}, which is not a real type`,
      {
        which: 'value',
        hint: `write type: ${serialBase} with identity: by default (serial creates a hidden sequence and default)`,
      },
    );
  }
  if (c.identity !== null && type !== '' && !INTEGER_TYPES.has(type) && serialBase === undefined) {
    sink.add(
      o.doc,
      [...o.path, 'identity'],
      'identity-type',
      `identity column ${t.name}.${c.name} has type ${c.type}, not an integer type`,
      {
        hint: 'identity columns must be smallint, integer or bigint; for uuid use default: gen_random_uuid()',
      },
    );
  }
  const conflict = (a: string, b: string, hint: string) =>
    sink.add(
      o.doc,
      [...o.path, b],
      'conflicting-options',
      `column ${t.name}.${c.name} sets both ${a} and ${b}`,
      { hint },
    );
  if (c.identity !== null && c.default !== null)
    conflict('identity', 'default', 'an identity column takes its values from its sequence; remove default');
  if (c.generated !== null && c.default !== null)
    conflict('generated', 'default', 'a generated column is computed from its expression; remove default');
  if (c.generated !== null && c.identity !== null)
    conflict('identity', 'generated', 'a column is either an identity or generated; keep one');
}

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
          hint: didYouMean(
            s.ownedBy.column,
            t.columns.map((c) => c.name),
          ),
        },
      );
    }
  }
}
