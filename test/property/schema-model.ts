import { quoteIdent, quoteLiteral } from '../../src/sql/quote.js';

/**
 * A small schema language for the property test: enough structure to generate and edit (tables, columns of a
 * handful of types, primary keys, uniques, checks, foreign keys, indexes, enums, comments, renames), rendered
 * as a desired-state file. Expressions are kept as templates over column names so that renames and type
 * changes re-render them the way a user would rewrite them.
 */

export type Family = 'int' | 'text' | 'bool' | 'time' | 'enum';

/** Every object has a uid that survives renames; references go by uid, so a rename is just a new name. */
export interface GColumn {
  uid: number;
  name: string;
  /** A spelling of the type (int, int4, integer…), or `enum:<enum uid>`. */
  type: string;
  notNull: boolean;
  /** Index into the family's default list, or null for none. */
  default: number | null;
  identity: 'always' | 'by default' | null;
  collation: 'C' | 'POSIX' | null;
  comment: string | null;
}

export interface GCheck {
  uid: number;
  name: string;
  column: number;
  template: number;
  comment: string | null;
}

export interface GUnique {
  uid: number;
  name: string;
  columns: number[];
  deferrable: false | 'immediate' | 'deferred';
}

export interface GForeignKey {
  uid: number;
  name: string;
  column: number;
  /** Table uid. */
  target: number;
  onDelete: 'no action' | 'cascade' | 'set null' | 'restrict';
  comment: string | null;
}

export interface GIndexKey {
  column: number;
  desc: boolean;
  /** lower(column) instead of the column (text columns only). */
  lower: boolean;
}

export interface GIndex {
  uid: number;
  name: string;
  keys: GIndexKey[];
  unique: boolean;
  /** Partial index: WHERE <column uid> IS NOT NULL. */
  where: number | null;
  comment: string | null;
}

export interface GTable {
  uid: number;
  name: string;
  columns: GColumn[];
  uniques: GUnique[];
  checks: GCheck[];
  foreignKeys: GForeignKey[];
  indexes: GIndex[];
  comment: string | null;
}

export interface GEnum {
  uid: number;
  name: string;
  values: string[];
  /** Parallel to values: survives a value rename. */
  valueUids: number[];
  comment: string | null;
}

export interface GSchema {
  enums: GEnum[];
  tables: GTable[];
}

export const TYPES: Readonly<Record<Exclude<Family, 'enum'>, readonly string[]>> = {
  int: ['integer', 'int', 'int4', 'bigint', 'int8', 'smallint', 'numeric(10,2)', 'numeric(12,2)'],
  text: ['text', 'varchar(20)', 'character varying(40)', 'varchar'],
  bool: ['boolean', 'bool'],
  time: ['timestamptz', 'timestamp with time zone', 'timestamp(3) with time zone'],
};

export function familyOf(type: string): Family {
  if (type.startsWith('enum:')) return 'enum';
  for (const [family, spellings] of Object.entries(TYPES)) {
    if (spellings.includes(type)) return family as Family;
  }
  throw new Error(`unknown generated type ${type}`);
}

/** The canonical type a spelling stands for, to tell whether two foreign key sides match. */
export function canonicalType(type: string): string {
  const map: Record<string, string> = { int: 'integer', int4: 'integer', int8: 'bigint' };
  return map[type] ?? type;
}

const DEFAULTS: Readonly<Record<Exclude<Family, 'enum'>, readonly string[]>> = {
  int: ['0', '42', "'7'::integer", '(1 + 1)'],
  text: ["'x'", "'x'::text", "''", "'it''s'"],
  bool: ['true', 'false'],
  time: ['now()', 'CURRENT_TIMESTAMP', "'2000-01-01 00:00:00+00'::timestamptz"],
};

const CHECKS: Readonly<Record<Family, readonly ((c: string) => string)[]>> = {
  int: [
    (c) => `${c} > 0`,
    (c) => `${c} IN (1, 2, 3)`,
    (c) => `${c} BETWEEN 0 AND 100`,
    (c) => `${c} = ANY (ARRAY[1, 2])`,
  ],
  text: [(c) => `length(${c}) > 0`, (c) => `${c} IN ('x', 'y')`, (c) => `${c} <> ''`],
  bool: [(c) => `${c} IS NOT NULL`, (c) => `${c} OR ${c} IS NULL`],
  time: [(c) => `${c} IS NOT NULL`],
  enum: [(c) => `${c} IS NOT NULL`],
};

export function enumOf(col: GColumn, enums: readonly GEnum[]): GEnum | undefined {
  return col.type.startsWith('enum:') ? enums.find((e) => e.uid === Number(col.type.slice(5))) : undefined;
}

export function defaultSql(col: GColumn, enums: readonly GEnum[]): string | null {
  if (col.default === null || col.identity !== null) return null;
  const family = familyOf(col.type);
  if (family === 'enum') {
    const values = enumOf(col, enums)?.values ?? [];
    return values.length === 0 ? null : quoteLiteral(values[col.default % values.length]!);
  }
  const list = DEFAULTS[family];
  return list[col.default % list.length]!;
}

export function columnName(t: GTable, uid: number): string {
  const c = t.columns.find((x) => x.uid === uid);
  if (!c) throw new Error(`column uid ${uid} is not in table ${t.name}`);
  return c.name;
}

export function checkSql(check: GCheck, table: GTable): string {
  const col = table.columns.find((c) => c.uid === check.column)!;
  const list = CHECKS[familyOf(col.type)];
  return list[check.template % list.length]!(quoteIdent(col.name));
}

/** Old name of an object that existed before under another name: its `renamedFrom`. */
type Renames = (kind: string, uid: number, name: string) => Record<string, string>;

function renamesFrom(before: GSchema | null): Renames {
  const names = new Map<string, string>();
  if (before) {
    for (const e of before.enums) names.set(`enum:${e.uid}`, e.name);
    for (const t of before.tables) {
      names.set(`table:${t.uid}`, t.name);
      for (const c of t.columns) names.set(`column:${t.uid}:${c.uid}`, c.name);
      for (const m of [...t.uniques, ...t.checks, ...t.foreignKeys])
        names.set(`constraint:${t.uid}:${m.uid}`, m.name);
      for (const i of t.indexes) names.set(`index:${t.uid}:${i.uid}`, i.name);
    }
  }
  return (kind, uid, name) => {
    const old = names.get(`${kind}:${uid}`);
    return old !== undefined && old !== name ? { renamedFrom: old } : ({} as Record<string, string>);
  };
}

const opt = <T>(key: string, value: T | null | false): Record<string, T> =>
  value === null || value === false ? {} : { [key]: value };

/** The schema as a desired-state document (JSON, which is YAML); renames declared against `before`. */
export function toDocument(namespace: string, s: GSchema, before: GSchema | null): Record<string, unknown> {
  const renamed = renamesFrom(before);
  const enums: Record<string, unknown> = {};
  for (const e of s.enums) {
    const old = before?.enums.find((x) => x.uid === e.uid);
    const valueRenames: Record<string, string> = {};
    e.values.forEach((v, i) => {
      const j = old ? old.valueUids.indexOf(e.valueUids[i]!) : -1;
      if (old && j >= 0 && old.values[j] !== v) valueRenames[v] = old.values[j]!;
    });
    enums[e.name] = {
      values: e.values,
      ...opt('comment', e.comment),
      ...renamed('enum', e.uid, e.name),
      ...(Object.keys(valueRenames).length > 0 ? { renameValues: valueRenames } : {}),
    };
  }
  const tables: Record<string, unknown> = {};
  for (const t of s.tables) {
    const columns: Record<string, unknown> = {};
    for (const c of t.columns) {
      columns[c.name] = {
        type: enumOf(c, s.enums)?.name ?? c.type,
        ...opt('notNull', c.notNull),
        ...opt('default', defaultSql(c, s.enums)),
        ...opt('identity', c.identity),
        ...opt('collation', c.collation),
        ...opt('comment', c.comment),
        ...renamed(`column:${t.uid}`, c.uid, c.name),
      };
    }
    const col = (uid: number) => columnName(t, uid);
    const table: Record<string, unknown> = {
      columns,
      primaryKey: [t.columns[0]!.name],
      ...opt('comment', t.comment),
      ...renamed('table', t.uid, t.name),
    };
    const con = (uid: number, name: string) => renamed(`constraint:${t.uid}`, uid, name);
    if (t.uniques.length > 0) {
      table.unique = Object.fromEntries(
        t.uniques.map((u) => [
          u.name,
          { columns: u.columns.map(col), ...opt('deferrable', u.deferrable), ...con(u.uid, u.name) },
        ]),
      );
    }
    if (t.checks.length > 0) {
      table.checks = Object.fromEntries(
        t.checks.map((k) => [
          k.name,
          { expression: checkSql(k, t), ...opt('comment', k.comment), ...con(k.uid, k.name) },
        ]),
      );
    }
    if (t.foreignKeys.length > 0) {
      table.foreignKeys = Object.fromEntries(
        t.foreignKeys.map((f) => {
          const target = s.tables.find((x) => x.uid === f.target)!;
          return [
            f.name,
            {
              columns: [col(f.column)],
              references: { table: target.name, columns: [target.columns[0]!.name] },
              ...opt('onDelete', f.onDelete === 'no action' ? null : f.onDelete),
              ...opt('comment', f.comment),
              ...con(f.uid, f.name),
            },
          ];
        }),
      );
    }
    if (t.indexes.length > 0) {
      table.indexes = Object.fromEntries(
        t.indexes.map((i) => [
          i.name,
          {
            columns: i.keys.map((k) => ({
              ...(k.lower ? { expr: `lower(${quoteIdent(col(k.column))})` } : { column: col(k.column) }),
              ...opt('order', k.desc ? 'desc' : null),
            })),
            ...opt('unique', i.unique),
            ...opt('where', i.where === null ? null : `${quoteIdent(col(i.where))} IS NOT NULL`),
            ...opt('comment', i.comment),
            ...renamed(`index:${t.uid}`, i.uid, i.name),
          },
        ]),
      );
    }
    tables[t.name] = table;
  }
  return {
    schema: namespace,
    ...(s.enums.length > 0 ? { enums } : {}),
    ...(s.tables.length > 0 ? { tables } : {}),
  };
}
