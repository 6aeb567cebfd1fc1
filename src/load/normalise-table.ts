import type { Deferrable, ForeignKeyAction, ForeignKeyMatch } from '../model/types.js';
import type { DiagnosticSink } from './diagnostic.js';
import { chooseConstraintName } from './names.js';
import { normaliseIndex } from './normalise-index.js';
import { columnShorthands } from './normalise-shorthands.js';
import { bool, isRecord, type Origin, setOrigin, splitQualified, sqlText, str, strList } from './origin.js';
import type { DataPath, ParsedDocument } from './source.js';
import type {
  DesiredCheck,
  DesiredColumn,
  DesiredForeignKey,
  DesiredIdentity,
  DesiredPrimaryKey,
  DesiredTable,
  DesiredUnique,
} from './types.js';

/**
 * One table's YAML → DesiredTable: shorthands become the named constraints PostgreSQL would create, every
 * default is made explicit, and each object remembers its origin. Tolerant of shapes the JSON Schema already
 * rejected, so one run reports every problem.
 */

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

export interface Ctx {
  readonly doc: ParsedDocument;
  readonly namespace: string;
  readonly sink: DiagnosticSink;
  readonly tablePath: DataPath;
  readonly tableName: string;
}

export function origin(ctx: Ctx, path: DataPath, extra: Partial<Origin> = {}): Origin {
  return { doc: ctx.doc, path, namespace: ctx.namespace, ...extra };
}

const renamed = (v: unknown) => strList(v);

export function deferrable(v: unknown): Deferrable {
  if (v === true || v === 'immediate') return 'immediate';
  if (v === 'deferred') return 'deferred';
  return false;
}

export function normaliseTable(
  doc: ParsedDocument,
  namespace: string,
  key: string,
  raw: unknown,
  sink: DiagnosticSink,
): DesiredTable {
  const q = splitQualified(key, namespace);
  const tablePath: DataPath = ['tables', key];
  const ctx: Ctx = { doc, namespace, sink, tablePath, tableName: q.name };
  const t = isRecord(raw) ? raw : {};
  const rawColumns = isRecord(t.columns) ? t.columns : {};

  const pkColumns: string[] = [];
  const uniques: DesiredUnique[] = [];
  const checks: DesiredCheck[] = [];
  const foreignKeys: DesiredForeignKey[] = [];
  const shorthand: Array<() => void> = [];
  const taken = new Set<string>([
    ...Object.keys(isRecord(t.unique) ? t.unique : {}),
    ...Object.keys(isRecord(t.checks) ? t.checks : {}),
    ...Object.keys(isRecord(t.foreignKeys) ? t.foreignKeys : {}),
    ...Object.keys(isRecord(t.indexes) ? t.indexes : {}),
  ]);
  const isIdentity = (c: Record<string, unknown>) => c.identity !== undefined && c.identity !== null;

  const written = doc.keys([...tablePath, 'columns']).filter((k) => Object.hasOwn(rawColumns, k));
  const order = written.length === Object.keys(rawColumns).length ? written : Object.keys(rawColumns);
  const columns: DesiredColumn[] = order.map((name) => {
    const rc = rawColumns[name];
    const c = isRecord(rc) ? rc : {};
    const path = [...tablePath, 'columns', name];
    if (c.primaryKey === true) pkColumns.push(name);
    // Shorthand constraints are named after all explicit names are known, as PostgreSQL does.
    shorthand.push(() => columnShorthands(ctx, name, c, path, taken, { uniques, checks, foreignKeys }));
    const col: DesiredColumn = {
      name,
      type: str(c.type) ?? '',
      notNull: bool(c.notNull, false) || c.primaryKey === true || isIdentity(c),
      default: sqlText(c.default),
      identity: identity(c.identity),
      generated: str(c.generated),
      collation: str(c.collation),
      comment: str(c.comment),
      source: doc.at(path),
      renamedFrom: renamed(c.renamedFrom),
      backfill: sqlText(c.backfill),
    };
    return setOrigin(col, origin(ctx, path, { renamedFromPath: [...path, 'renamedFrom'] }));
  });

  const primaryKey = normalisePrimaryKey(ctx, t.primaryKey, pkColumns);
  if (primaryKey) taken.add(primaryKey.name);
  for (const fn of shorthand) fn();

  for (const [name, ru] of Object.entries(isRecord(t.unique) ? t.unique : {})) {
    const path = [...tablePath, 'unique', name];
    const u = isRecord(ru) ? ru : {};
    const list = Array.isArray(ru);
    const value: DesiredUnique = {
      name,
      columns: list ? strList(ru) : strList(u.columns),
      nullsNotDistinct: bool(u.nullsNotDistinct, false),
      deferrable: deferrable(u.deferrable),
      comment: str(u.comment),
      source: doc.at(path),
      renamedFrom: renamed(u.renamedFrom),
    };
    const columnPath = (i: number): DataPath => (list ? [...path, i] : [...path, 'columns', i]);
    uniques.push(
      setOrigin(value, origin(ctx, path, { columnPath, renamedFromPath: [...path, 'renamedFrom'] })),
    );
  }

  for (const [name, rc] of Object.entries(isRecord(t.checks) ? t.checks : {})) {
    const path = [...tablePath, 'checks', name];
    const c = isRecord(rc) ? rc : {};
    const value: DesiredCheck = {
      name,
      expression: str(rc) ?? str(c.expression) ?? '',
      noInherit: bool(c.noInherit, false),
      valid: true,
      comment: str(c.comment),
      source: doc.at(path),
      renamedFrom: renamed(c.renamedFrom),
    };
    checks.push(setOrigin(value, origin(ctx, path, { renamedFromPath: [...path, 'renamedFrom'] })));
  }

  for (const [name, rf] of Object.entries(isRecord(t.foreignKeys) ? t.foreignKeys : {})) {
    const path = [...tablePath, 'foreignKeys', name];
    const f = isRecord(rf) ? rf : {};
    const ref = isRecord(f.references) ? f.references : {};
    const value: DesiredForeignKey = {
      name,
      columns: strList(f.columns),
      references: {
        schema: str(ref.schema) ?? namespace,
        table: str(ref.table) ?? '',
        columns: strList(ref.columns),
      },
      onDelete: (str(f.onDelete) ?? 'no action') as ForeignKeyAction,
      onUpdate: (str(f.onUpdate) ?? 'no action') as ForeignKeyAction,
      match: (str(f.match) ?? 'simple') as ForeignKeyMatch,
      deferrable: deferrable(f.deferrable),
      valid: true,
      comment: str(f.comment),
      source: doc.at(path),
      renamedFrom: renamed(f.renamedFrom),
    };
    const refWritten = Array.isArray(ref.columns);
    foreignKeys.push(
      setOrigin(
        value,
        origin(ctx, path, {
          columnPath: (i) => [...path, 'columns', i],
          ...(refWritten ? { refColumnPath: (i: number) => [...path, 'references', 'columns', i] } : {}),
          renamedFromPath: [...path, 'renamedFrom'],
        }),
      ),
    );
  }

  const columnNames = new Set(columns.map((c) => c.name));
  const indexes = Object.entries(isRecord(t.indexes) ? t.indexes : {}).map(([name, ri]) =>
    normaliseIndex(ctx, name, ri, columnNames),
  );

  const byName = <T extends { name: string }>(a: T, b: T) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
  const table: DesiredTable = {
    schema: q.schema,
    name: q.name,
    columns,
    primaryKey,
    uniques: uniques.sort(byName),
    checks: checks.sort(byName),
    foreignKeys: foreignKeys.sort(byName),
    indexes: indexes.sort(byName),
    comment: str(t.comment),
    source: doc.at(tablePath),
    renamedFrom: renamed(t.renamedFrom),
  };
  return setOrigin(table, origin(ctx, tablePath, { renamedFromPath: [...tablePath, 'renamedFrom'] }));
}

function identity(v: unknown): DesiredIdentity | null {
  if (v === 'always' || v === 'by default') return { kind: v, options: {} };
  if (!isRecord(v)) return null;
  const options: Mutable<DesiredIdentity['options']> = {};
  const num = (x: unknown) => (typeof x === 'number' || typeof x === 'string' ? String(x) : undefined);
  const set = (k: 'start' | 'increment' | 'min' | 'max' | 'cache', x: unknown) => {
    const n = num(x);
    if (n !== undefined) options[k] = n;
  };
  set('start', v.start);
  set('increment', v.increment);
  set('min', v.minValue);
  set('max', v.maxValue);
  set('cache', v.cache);
  if (typeof v.cycle === 'boolean') options.cycle = v.cycle;
  return { kind: v.kind === 'always' ? 'always' : 'by default', options };
}

function normalisePrimaryKey(ctx: Ctx, raw: unknown, shorthand: string[]): DesiredPrimaryKey | null {
  const path = [...ctx.tablePath, 'primaryKey'];
  if (raw !== undefined && raw !== null) {
    if (shorthand.length > 0) {
      ctx.sink.add(
        ctx.doc,
        [...ctx.tablePath, 'columns', shorthand[0]!, 'primaryKey'],
        'duplicate-primary-key',
        `table ${ctx.tableName} declares its primary key twice: here and in "primaryKey"`,
        { hint: 'keep one: the column shorthand primaryKey: true or the table-level primaryKey' },
      );
    }
    const list = Array.isArray(raw);
    const p = isRecord(raw) ? raw : {};
    const value: DesiredPrimaryKey = {
      name: str(p.name) ?? chooseConstraintName(ctx.tableName, null, 'pkey', new Set()),
      columns: list ? strList(raw) : strList(p.columns),
      comment: str(p.comment),
      source: ctx.doc.at(path),
      renamedFrom: renamed(p.renamedFrom),
    };
    const columnPath = (i: number): DataPath => (list ? [...path, i] : [...path, 'columns', i]);
    return setOrigin(value, origin(ctx, path, { columnPath, renamedFromPath: [...path, 'renamedFrom'] }));
  }
  if (shorthand.length === 0) return null;
  if (shorthand.length > 1) {
    ctx.sink.add(
      ctx.doc,
      [...ctx.tablePath, 'columns', shorthand[1]!, 'primaryKey'],
      'duplicate-primary-key',
      `table ${ctx.tableName} marks more than one column primaryKey: true (${shorthand.join(', ')})`,
      { hint: `for a composite key write primaryKey: [${shorthand.join(', ')}] on the table` },
    );
  }
  const colPaths = shorthand.map((c) => [...ctx.tablePath, 'columns', c]);
  const value: DesiredPrimaryKey = {
    name: chooseConstraintName(ctx.tableName, null, 'pkey', new Set()),
    columns: shorthand,
    comment: null,
    source: ctx.doc.at(colPaths[0]!),
    renamedFrom: [],
  };
  return setOrigin(value, origin(ctx, colPaths[0]!, { columnPath: (i) => colPaths[i] ?? colPaths[0]! }));
}
