import {
  addCheck,
  addForeignKey,
  addIndex,
  addUnique,
  type Choices,
  comment,
  type Names,
  newColumn,
  newEnum,
  newTable,
} from './schema-gen.js';
import { familyOf, type GSchema, type GTable, TYPES } from './schema-model.js';
import { repair } from './schema-repair.js';

/**
 * Random edits of every kind a desired state can undergo: add, drop, alter and rename (through renamedFrom,
 * which schema-model.ts derives from uids) of tables, columns, constraints, indexes and enums, plus comments
 * and a reordering of columns that must not cause churn.
 */

type Edit = (ch: Choices, names: Names, s: GSchema) => void;

function table(ch: Choices, s: GSchema): GTable | undefined {
  return s.tables.length === 0 ? undefined : ch.pick(s.tables);
}

function removeAt<T>(list: T[], ch: Choices): void {
  if (list.length > 0) list.splice(ch.next(list.length), 1);
}

const EDITS: readonly Edit[] = [
  // 0: nothing (the simplest edit).
  () => {},
  (ch, names, s) => table(ch, s)?.columns.push(newColumn(ch, names, s)),
  (ch, _n, s) => {
    const t = table(ch, s);
    if (t && t.columns.length > 1) t.columns.splice(1 + ch.next(t.columns.length - 1), 1);
  },
  (ch, _n, s) => {
    // Change a column type within its family (spellings included).
    const c = table(ch, s)?.columns[ch.next(8)];
    const family = c ? familyOf(c.type) : 'enum';
    if (c && family !== 'enum') c.type = ch.pick(TYPES[family]);
    else if (c && s.enums.length > 0) c.type = `enum:${ch.pick(s.enums).uid}`;
  },
  (ch, _n, s) => {
    const t = table(ch, s);
    const c = t?.columns[1 + ch.next(Math.max(t.columns.length - 1, 1))];
    if (c) c.notNull = !c.notNull;
  },
  (ch, _n, s) => {
    const c = table(ch, s)?.columns[ch.next(8)];
    if (c) c.default = ch.chance(3) ? null : ch.next(4);
  },
  (ch, names, s) => {
    const c = table(ch, s)?.columns[ch.next(8)];
    if (c) c.name = names.make('rn', ch);
  },
  (ch, names, s) => {
    const t = table(ch, s);
    if (t) t.name = names.make('rt', ch);
  },
  (ch, names, s) => s.tables.push(newTable(ch, names, s)),
  (ch, _n, s) => removeAt(s.tables, ch),
  (ch, names, s) => {
    const t = table(ch, s);
    if (t) addIndex(ch, names, t);
  },
  (ch, _n, s) => removeAt(table(ch, s)?.indexes ?? [], ch),
  (ch, names, s) => {
    const i = table(ch, s)?.indexes[ch.next(3)];
    if (i) i.name = names.make('rx', ch);
  },
  (ch, names, s) => {
    const t = table(ch, s);
    if (t) addCheck(ch, names, t);
  },
  (ch, _n, s) => removeAt(table(ch, s)?.checks ?? [], ch),
  (ch, names, s) => {
    // Rename a constraint: check, unique or foreign key.
    const t = table(ch, s);
    const list = t ? [...t.checks, ...t.uniques, ...t.foreignKeys] : [];
    if (list.length > 0) ch.pick(list).name = names.make('rc', ch);
  },
  (ch, names, s) => {
    const a = table(ch, s);
    const b = table(ch, s);
    if (a && b) addForeignKey(ch, names, a, b);
  },
  (ch, _n, s) => removeAt(table(ch, s)?.foreignKeys ?? [], ch),
  (ch, _n, s) => {
    const f = table(ch, s)?.foreignKeys[ch.next(2)];
    if (f) f.onDelete = ch.pick(['no action', 'cascade', 'set null', 'restrict'] as const);
  },
  (ch, names, s) => {
    const t = table(ch, s);
    if (t && ch.next(2) === 0) addUnique(ch, names, t);
    else removeAt(t?.uniques ?? [], ch);
  },
  (ch, names, s) => {
    // Enum: add a value (anywhere), remove one, reorder, rename the type, rename a value.
    if (s.enums.length === 0) {
      s.enums.push(newEnum(ch, names));
      return;
    }
    const e = ch.pick(s.enums);
    const op = ch.next(5);
    if (op === 0) {
      const at = ch.next(e.values.length + 1);
      e.values.splice(at, 0, `v${names.uid()}`);
      e.valueUids.splice(at, 0, names.uid());
    } else if (op === 1 && e.values.length > 1) {
      const at = ch.next(e.values.length);
      e.values.splice(at, 1);
      e.valueUids.splice(at, 1);
    } else if (op === 2) {
      e.values.reverse();
      e.valueUids.reverse();
    } else if (op === 3) e.name = `en${names.uid()}`;
    else e.values[ch.next(e.values.length)] = `w${names.uid()}`;
  },
  (ch, _n, s) => removeAt(s.enums, ch),
  (ch, names, s) => {
    // Comments on every kind: add, change or remove.
    const t = table(ch, s);
    if (!t) return;
    const value = comment(ch, names) ?? (ch.chance(2) ? null : `c ${names.uid()}`);
    const targets = [t, ...t.columns, ...t.indexes, ...t.checks, ...t.foreignKeys, ...s.enums];
    ch.pick(targets).comment = value;
  },
  (ch, _n, s) => {
    const i = table(ch, s)?.indexes[ch.next(3)];
    if (!i) return;
    const k = i.keys[0]!;
    if (ch.next(2) === 0) k.desc = !k.desc;
    else i.unique = !i.unique;
  },
  (ch, _n, s) => {
    const id = table(ch, s)?.columns[0];
    if (id) id.identity = ch.pick([null, 'always', 'by default'] as const);
  },
  (ch, _n, s) => {
    const c = table(ch, s)?.columns[ch.next(8)];
    if (c) c.collation = ch.pick([null, 'C', 'POSIX'] as const);
  },
  (ch, _n, s) => {
    // Column order in the YAML differs from live: PostgreSQL cannot reorder, so this must plan nothing.
    const t = table(ch, s);
    if (t && t.columns.length > 2) t.columns = [t.columns[0]!, ...t.columns.slice(1).reverse()];
  },
];

export function editSchema(ch: Choices, names: Names, from: GSchema): GSchema {
  const s = structuredClone(from);
  const count = 1 + ch.next(6);
  for (let i = 0; i < count; i++) EDITS[ch.next(EDITS.length)]!(ch, names, s);
  return repair(s);
}
