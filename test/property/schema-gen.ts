import {
  canonicalType,
  type Family,
  familyOf,
  type GColumn,
  type GEnum,
  type GSchema,
  type GTable,
  TYPES,
} from './schema-model.js';
import { repair } from './schema-repair.js';

/**
 * Random schemas and random edits, driven by a list of small integers (a choice sequence): fast-check
 * shrinks the list, and since choice 0 is always the simplest option and an exhausted list reads as 0s, a
 * shorter list is a simpler schema. Whatever the choices, `repair` makes the result a valid desired state.
 */

export class Choices {
  private i = 0;
  constructor(private readonly ints: readonly number[]) {}
  /** A number in [0, n). */
  next(n: number): number {
    if (n <= 1) return 0;
    const v = this.ints[this.i++];
    return v === undefined ? 0 : v % n;
  }
  /** True with probability about 1/n (never once the choices run out). */
  chance(n: number): boolean {
    return this.next(n) === n - 1;
  }
  pick<T>(list: readonly T[]): T {
    return list[this.next(list.length)]!;
  }
}

const RESERVED = ['user', 'order', 'select', 'table', 'check', 'default', 'group'];

/** Fresh names for one pair: plain, or (rarely) mixed case with spaces, embedded quotes, reserved words. */
export class Names {
  private n = 0;
  private readonly used = new Set<string>();
  uid(): number {
    return ++this.n;
  }
  make(prefix: string, ch: Choices): string {
    const n = this.uid();
    const style = ch.chance(6) ? ch.next(3) : -1;
    let name = `${prefix}${n}`;
    if (style === 0) name = `${prefix.toUpperCase()}${n} Mixed`;
    if (style === 1) name = `${prefix}"${n}`;
    if (style === 2) {
      const word = RESERVED.find((w) => !this.used.has(w));
      if (word) name = word;
    }
    this.used.add(name);
    return name;
  }
}

const ENUM_VALUES = ['a', 'b', 'c', 'd', 'e', 'f', 'g'];
const ID_TYPES = ['integer', 'bigint', 'int', 'int8'];

export function comment(ch: Choices, names: Names): string | null {
  return ch.chance(4) ? (ch.chance(3) ? `it's note ${names.uid()}` : `note ${names.uid()}`) : null;
}

export function newEnum(ch: Choices, names: Names): GEnum {
  const count = 1 + ch.next(4);
  const values = ENUM_VALUES.slice(0, count);
  return {
    uid: names.uid(),
    name: `e${names.uid()}`,
    values,
    valueUids: values.map(() => names.uid()),
    comment: comment(ch, names),
  };
}

export function newColumn(ch: Choices, names: Names, s: GSchema): GColumn {
  const families: Family[] = [
    'int',
    'text',
    'bool',
    'time',
    ...(s.enums.length > 0 ? ['enum' as const] : []),
  ];
  const family = ch.pick(families);
  const type = family === 'enum' ? `enum:${ch.pick(s.enums).uid}` : ch.pick(TYPES[family]);
  return {
    uid: names.uid(),
    name: names.make('c', ch),
    type,
    notNull: ch.chance(3),
    default: ch.chance(3) ? ch.next(4) : null,
    identity: null,
    collation: family === 'text' && ch.chance(5) ? ch.pick(['C', 'POSIX'] as const) : null,
    comment: comment(ch, names),
  };
}

export function newTable(ch: Choices, names: Names, s: GSchema): GTable {
  const id: GColumn = {
    uid: names.uid(),
    name: ch.chance(4) ? names.make('id', ch) : 'id',
    type: ch.pick(ID_TYPES),
    notNull: true,
    default: null,
    identity: ch.chance(3) ? ch.pick(['always', 'by default'] as const) : null,
    collation: null,
    comment: null,
  };
  const t: GTable = {
    uid: names.uid(),
    name: names.make('t', ch),
    columns: [id],
    uniques: [],
    checks: [],
    foreignKeys: [],
    indexes: [],
    comment: comment(ch, names),
  };
  const extra = ch.next(4);
  for (let i = 0; i < extra; i++) t.columns.push(newColumn(ch, names, s));
  for (let i = ch.next(3); i > 0; i--) addCheck(ch, names, t);
  for (let i = ch.next(2); i > 0; i--) addUnique(ch, names, t);
  for (let i = ch.next(3); i > 0; i--) addIndex(ch, names, t);
  return t;
}

export function addCheck(ch: Choices, names: Names, t: GTable): void {
  const col = ch.pick(t.columns);
  t.checks.push({
    uid: names.uid(),
    name: names.make('ck', ch),
    column: col.uid,
    template: ch.next(4),
    comment: null,
  });
}

export function addUnique(ch: Choices, names: Names, t: GTable): void {
  const a = ch.pick(t.columns);
  const b = ch.pick(t.columns);
  const columns = a.uid === b.uid || ch.next(2) === 0 ? [a.uid] : [a.uid, b.uid];
  const deferrable = ch.chance(5) ? ch.pick(['immediate', 'deferred'] as const) : false;
  t.uniques.push({ uid: names.uid(), name: names.make('uq', ch), columns, deferrable });
}

export function addIndex(ch: Choices, names: Names, t: GTable): void {
  const count = 1 + ch.next(2);
  const keys = [];
  for (let i = 0; i < count; i++) {
    const col = ch.pick(t.columns);
    keys.push({ column: col.uid, desc: ch.chance(3), lower: familyOf(col.type) === 'text' && ch.chance(3) });
  }
  t.indexes.push({
    uid: names.uid(),
    name: names.make('ix', ch),
    keys,
    unique: ch.chance(4),
    where: ch.chance(3) ? ch.pick(t.columns).uid : null,
    comment: comment(ch, names),
  });
}

/** A foreign key from a new column of `from` to `to`'s primary key (any pair, self and cycles included). */
export function addForeignKey(ch: Choices, names: Names, from: GTable, to: GTable): void {
  const col: GColumn = {
    uid: names.uid(),
    name: names.make('ref', ch),
    type: canonicalType(to.columns[0]!.type),
    notNull: ch.chance(3),
    default: null,
    identity: null,
    collation: null,
    comment: null,
  };
  from.columns.push(col);
  from.foreignKeys.push({
    uid: names.uid(),
    name: names.make('fk', ch),
    column: col.uid,
    target: to.uid,
    onDelete: ch.pick(['no action', 'cascade', 'set null', 'restrict'] as const),
    comment: comment(ch, names),
  });
}

export function generateSchema(ch: Choices, names: Names): GSchema {
  const s: GSchema = { enums: [], tables: [] };
  for (let i = ch.next(3); i > 0; i--) s.enums.push(newEnum(ch, names));
  const count = 1 + ch.next(3);
  for (let i = 0; i < count; i++) s.tables.push(newTable(ch, names, s));
  for (let i = ch.next(3); i > 0; i--) addForeignKey(ch, names, ch.pick(s.tables), ch.pick(s.tables));
  return repair(s);
}
