import { checkLength, checkRenames } from './check-names.js';
import type { DiagnosticSink } from './diagnostic.js';
import { originOf } from './origin.js';
import type { DataPath } from './source.js';
import { closest, didYouMean } from './suggest.js';

const BUILTIN_METHODS = ['btree', 'hash', 'gist', 'spgist', 'gin', 'brin'];

import type { DesiredColumn, DesiredTable } from './types.js';

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
    if (!BUILTIN_METHODS.includes(x.method) && closest(x.method, BUILTIN_METHODS) !== null) {
      sink.add(
        o.doc,
        [...o.path, 'method'],
        'invalid-value',
        `index ${x.name} uses method ${x.method}, which PostgreSQL does not have`,
        {
          which: 'value',
          hint: didYouMean(x.method, BUILTIN_METHODS),
        },
      );
    }
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
