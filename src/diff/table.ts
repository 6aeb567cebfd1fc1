import { memberKey } from '../model/keys.js';
import type {
  CheckConstraint,
  Column,
  ForeignKey,
  Index,
  IndexKey,
  PrimaryKey,
  Table,
  UniqueConstraint,
} from '../model/types.js';
import { quoteIdent } from '../sql/quote.js';
import { escapeRegExp } from '../util/regexp.js';
import type { DesiredAnnotations } from './annotations.js';
import type { Change, ColumnField } from './change.js';
import { renameIdentifiers } from './rename-identifiers.js';

/**
 * Diff of one table that exists on both sides (possibly under a declared new name). The live table is first
 * seen through the declared renames (its name, its columns' names, and the identifiers inside its
 * expressions), so what remains to compare is what really changed.
 */

export interface TableContext {
  readonly ann: DesiredAnnotations;
  /** Live table key → desired table name, for FK references across table renames. */
  readonly tableRenames: ReadonlyMap<string, { schema: string; name: string }>;
  /** Live type name (as format_type prints it) → desired type name, for enum renames. */
  readonly typeRenames: ReadonlyMap<string, string>;
  readonly qualifiedKeyOf: (t: { schema: string; name: string }) => string;
  /**
   * Live tables read back through PostgreSQL once more (shadow/fixpoint.ts), keyed by live table key:
   * compared instead of the raw live table, so expressions are compared in their stable printed form.
   */
  readonly liveStable: ReadonlyMap<string, Table>;
  /** Desired table key → its declared column renames (old → new), for foreign keys that point at them. */
  readonly columnRenamesByTable: ReadonlyMap<string, ReadonlyMap<string, string>>;
  /** Live columns (memberKey of live table and column) an enum rebuild converts to the new type. */
  readonly enumConverted?: ReadonlySet<string>;
}

export interface TableDiff {
  readonly changes: Change[];
  /** The table as it will be after the plan: the desired table with existing columns in live order. */
  readonly expected: Table;
}

export function diffTable(live: Table, wanted: Table, ctx: TableContext): TableDiff {
  // A desired table taken from the live model as it is (its DDL matched, see shadow/incremental.ts) has
  // nothing to diff: on an unchanged schema that is every table.
  // (Unless an enum rebuild converts one of its columns: its generated columns may have to be rebuilt.)
  const converting =
    ctx.enumConverted !== undefined &&
    ctx.enumConverted.size > 0 &&
    live.columns.some((c) => ctx.enumConverted?.has(memberKey(live, c.name)));
  if (live === wanted && !converting && !ctx.liveStable.has(ctx.qualifiedKeyOf(live))) {
    const renames = ctx.columnRenamesByTable.get(ctx.qualifiedKeyOf(wanted));
    if (!renames || renames.size === 0) return { changes: [], expected: live };
  }
  const changes: Change[] = [];
  const renamedTable = live.schema !== wanted.schema || live.name !== wanted.name;
  if (renamedTable) changes.push({ kind: 'table.rename', from: live, table: wanted });

  const columnRenames = ctx.columnRenamesByTable.get(ctx.qualifiedKeyOf(wanted)) ?? new Map<string, string>();
  for (const [from, to] of columnRenames) changes.push({ kind: 'column.rename', table: wanted, from, to });
  const seen = seeThroughRenames(
    withLiveValidity(ctx.liveStable.get(ctx.qualifiedKeyOf(live)), live),
    wanted,
    columnRenames,
    ctx,
  );
  const raw = seeThroughRenames(live, wanted, columnRenames, ctx);

  const liveColumns = new Map(seen.columns.map((c) => [c.name, c]));
  const recreated = new Set<string>();
  const unchangedColumns = new Set<string>();
  // PostgreSQL refuses to change the type of a column a generated column uses.
  const renamedFrom = new Map([...columnRenames].map(([from, to]) => [to, from]));
  const usesRetyped = retypedColumnUse(
    liveColumns,
    wanted.columns,
    (name) => ctx.enumConverted?.has(memberKey(live, renamedFrom.get(name) ?? name)) ?? false,
  );
  for (const c of wanted.columns) {
    const current = liveColumns.get(c.name);
    const backfill = ctx.ann.backfills.get(memberKey(wanted, c.name)) ?? null;
    if (!current) {
      changes.push({ kind: 'column.add', table: wanted, column: c, backfill });
      continue;
    }
    const fields = columnFieldsDiffer(current, c);
    const rebuild = current.generated !== null && c.generated !== null && usesRetyped(current.generated);
    if (fields.length === 0 && !rebuild) {
      unchangedColumns.add(c.name);
      continue;
    }
    if (fields.includes('generated') || rebuild) {
      // A generated expression cannot be changed in place before PostgreSQL 17, and a plain column cannot
      // become generated (or back) at all: the column is dropped and added again, its values recomputed.
      // So is one that uses a column whose type changes, which cannot change while it does.
      changes.push({ kind: 'column.drop', table: seen, column: current });
      changes.push({ kind: 'column.add', table: wanted, column: c, backfill });
      recreated.add(c.name);
      continue;
    }
    changes.push({ kind: 'column.alter', table: wanted, from: current, column: c, fields, backfill });
  }
  const wantedNames = new Set(wanted.columns.map((c) => c.name));
  for (const c of seen.columns) {
    if (!wantedNames.has(c.name)) changes.push({ kind: 'column.drop', table: seen, column: c });
  }

  if (live.comment !== wanted.comment) changes.push({ kind: 'table.comment', table: wanted });
  // Dropping a column drops the keys, checks, foreign keys and indexes that involve it: those of a column
  // dropped and added again are gone once it is added back, so they are created again, not kept.
  const members = recreated.size > 0 ? withoutMembersOn(seen, recreated) : seen;
  diffPrimaryKey(members, wanted, changes);
  diffMemberKind(uniqueKind, members, wanted, ctx, changes);
  const sameChecks = diffMemberKind(checkKind, members, wanted, ctx, changes);
  diffMemberKind(foreignKeyKind, members, wanted, ctx, changes);
  const sameIndexes = diffMemberKind(indexKind, members, wanted, ctx, changes);

  // The table as it will be: what the plan changes comes from the desired side, what it leaves alone keeps
  // its live text (which may be printed differently from its stable form, see shadow/fixpoint.ts).
  // PostgreSQL cannot reorder columns: existing ones keep their live position, new ones are appended.
  const wantedByName = new Map(wanted.columns.map((c) => [c.name, c]));
  const rawColumns = new Map(raw.columns.map((c) => [c.name, c]));
  const kept = seen.columns.filter((c) => wantedByName.has(c.name) && !recreated.has(c.name));
  const keptNames = new Set(kept.map((c) => c.name));
  // Added generated columns come last: the plan adds them after the plain ones (plan/steps/columns.ts).
  const appended = wanted.columns.filter((c) => !keptNames.has(c.name));
  const columns = [
    ...kept.map((c) => (unchangedColumns.has(c.name) ? rawColumns.get(c.name)! : wantedByName.get(c.name)!)),
    ...appended.filter((c) => c.generated === null),
    ...appended.filter((c) => c.generated !== null),
  ];
  const rawChecks = new Map(raw.checks.map((c) => [c.name, c]));
  const rawIndexes = new Map(raw.indexes.map((i) => [i.name, i]));
  const checks = wanted.checks.map((c) => {
    const liveName = sameChecks.get(c.name);
    const r = liveName === undefined ? undefined : rawChecks.get(liveName);
    return r ? { ...r, name: c.name, comment: c.comment, valid: r.valid || c.valid } : c;
  });
  const indexes = wanted.indexes.map((i) => {
    const liveName = sameIndexes.get(i.name);
    const r = liveName === undefined ? undefined : rawIndexes.get(liveName);
    return r ? { ...r, name: i.name, comment: i.comment } : i;
  });
  return { changes, expected: { ...wanted, columns, checks, indexes } };
}

/**
 * The stable form of a live table was compiled on a shadow, where every constraint and index is valid; the
 * NOT VALID and INVALID states are facts of the live table and must survive into the comparison.
 */
function withLiveValidity(stable: Table | undefined, live: Table): Table {
  if (!stable) return live;
  const valid = <T extends { name: string; valid: boolean }>(list: readonly T[], raw: readonly T[]) =>
    list.map((m) => ({ ...m, valid: raw.find((r) => r.name === m.name)?.valid ?? m.valid }));
  return {
    ...stable,
    checks: valid(stable.checks, live.checks),
    foreignKeys: valid(stable.foreignKeys, live.foreignKeys),
    indexes: valid(stable.indexes, live.indexes),
  };
}

function seeThroughRenames(
  live: Table,
  wanted: Table,
  columnRenames: ReadonlyMap<string, string>,
  ctx: TableContext,
): Table {
  const col = (n: string) => columnRenames.get(n) ?? n;
  const cols = (ns: readonly string[]) => ns.map(col);
  const expr = (e: string | null) => (e === null ? null : renameIdentifiers(e, columnRenames));
  const type = (t: string) => {
    const base = t.endsWith('[]') ? t.slice(0, -2) : t;
    const renamed = ctx.typeRenames.get(base);
    return renamed === undefined ? t : `${renamed}${t.slice(base.length)}`;
  };
  const key = (k: IndexKey): IndexKey => ({
    ...k,
    column: k.column === null ? null : col(k.column),
    expression: expr(k.expression),
  });
  return {
    ...live,
    schema: wanted.schema,
    name: wanted.name,
    columns: live.columns.map((c) => ({
      ...c,
      name: col(c.name),
      type: type(c.type),
      default: expr(c.default),
      generated: expr(c.generated),
    })),
    primaryKey: live.primaryKey ? { ...live.primaryKey, columns: cols(live.primaryKey.columns) } : null,
    uniques: live.uniques.map((u) => ({ ...u, columns: cols(u.columns) })),
    checks: live.checks.map((c) => ({ ...c, expression: expr(c.expression)! })),
    foreignKeys: live.foreignKeys.map((fk) => {
      const target = ctx.tableRenames.get(
        ctx.qualifiedKeyOf({ schema: fk.references.schema, name: fk.references.table }),
      );
      const schema = target?.schema ?? fk.references.schema;
      const table = target?.name ?? fk.references.table;
      const renamed = ctx.columnRenamesByTable.get(ctx.qualifiedKeyOf({ schema, name: table }));
      return {
        ...fk,
        columns: cols(fk.columns),
        references: {
          schema,
          table,
          columns: fk.references.columns.map((c) => renamed?.get(c) ?? c),
        },
      };
    }),
    indexes: live.indexes.map((i) => ({
      ...i,
      keys: i.keys.map(key),
      include: cols(i.include),
      where: expr(i.where),
    })),
  };
}

/**
 * Whether an expression names one of the columns whose type changes, or which an enum rebuild converts to
 * the rebuilt type, as PostgreSQL prints a column in it: bare, or double-quoted. Text that only looks like
 * one, in a string or a function name, merely recomputes a generated column that did not need it.
 */
function retypedColumnUse(
  live: ReadonlyMap<string, Column>,
  wanted: readonly Column[],
  converted: (name: string) => boolean,
): (expression: string) => boolean {
  const retyped = wanted.filter((c) => {
    const current = live.get(c.name);
    return current !== undefined && (current.type !== c.type || converted(c.name));
  });
  return columnUse(retyped.map((c) => c.name));
}

/**
 * Whether an expression names one of these columns as PostgreSQL prints a column in it: bare, or
 * double-quoted (text that only looks like one, in a string or a function name, counts too: that errs
 * on the side of doing more).
 */
function columnUse(columns: readonly string[]): (expression: string) => boolean {
  if (columns.length === 0) return () => false;
  const names = columns.map((c) => escapeRegExp(quoteIdent(c)));
  const pattern = new RegExp(`(^|[^\\w$."])(${names.join('|')})(?![\\w$"(])`);
  return (expression) => pattern.test(expression);
}

/** The table without the keys, checks, foreign keys and indexes that involve one of these columns. */
function withoutMembersOn(table: Table, columns: ReadonlySet<string>): Table {
  const uses = columnUse([...columns]);
  const some = (names: readonly string[]) => names.some((n) => columns.has(n));
  return {
    ...table,
    primaryKey: table.primaryKey && some(table.primaryKey.columns) ? null : table.primaryKey,
    uniques: table.uniques.filter((u) => !some(u.columns)),
    checks: table.checks.filter((c) => !uses(c.expression)),
    foreignKeys: table.foreignKeys.filter((f) => !some(f.columns)),
    indexes: table.indexes.filter(
      (i) =>
        !some(i.include) &&
        !(i.where !== null && uses(i.where)) &&
        !i.keys.some((k) => (k.column !== null ? columns.has(k.column) : uses(k.expression ?? ''))),
    ),
  };
}

/** Column renames declared in YAML whose old name exists live and is not wanted any more: old → new. */
export function declaredColumnRenames(
  live: Table,
  wanted: Table,
  ann: DesiredAnnotations,
): Map<string, string> {
  const liveNames = new Set(live.columns.map((c) => c.name));
  const wantedNames = new Set(wanted.columns.map((c) => c.name));
  const renames = new Map<string, string>();
  for (const c of wanted.columns) {
    if (liveNames.has(c.name)) continue;
    for (const old of ann.columnRenames.get(memberKey(wanted, c.name)) ?? []) {
      if (liveNames.has(old) && !wantedNames.has(old) && !renames.has(old)) {
        renames.set(old, c.name);
        break;
      }
    }
  }
  return renames;
}

export function columnFieldsDiffer(a: Column, b: Column): ColumnField[] {
  const fields: ColumnField[] = [];
  if (a.type !== b.type) fields.push('type');
  if (a.collation !== b.collation) fields.push('collation');
  if (a.notNull !== b.notNull) fields.push('notNull');
  if (a.default !== b.default) fields.push('default');
  if (JSON.stringify(a.identity) !== JSON.stringify(b.identity)) fields.push('identity');
  if (a.generated !== b.generated) fields.push('generated');
  if (a.comment !== b.comment) fields.push('comment');
  return fields;
}

function diffPrimaryKey(live: Table, wanted: Table, changes: Change[]): void {
  const a = live.primaryKey;
  const b = wanted.primaryKey;
  if (a && b && sameList(a.columns, b.columns)) {
    // A table has at most one primary key, so a different name is a rename, never a new key.
    if (a.name !== b.name)
      changes.push({ kind: 'constraint.rename', table: wanted, from: a.name, to: b.name });
    if (a.comment !== b.comment) {
      changes.push({ kind: 'constraint.comment', table: wanted, name: b.name, comment: b.comment });
    }
    return;
  }
  if (a) changes.push({ kind: 'pk.drop', table: live, primaryKey: a });
  if (b) changes.push({ kind: 'pk.add', table: wanted, primaryKey: b });
}

type Member = PrimaryKey | UniqueConstraint | CheckConstraint | ForeignKey | Index;

interface MemberKind<T extends Member> {
  readonly list: (t: Table) => readonly T[];
  readonly same: (a: T, b: T) => boolean;
  readonly add: (t: Table, m: T) => Change;
  readonly drop: (t: Table, m: T) => Change;
  /** The change for a member whose definition differs from the live one it matches; `add` when absent. */
  readonly replace?: (t: Table, m: T, live: T) => Change;
  readonly validate?: (t: Table, m: T) => Change;
  readonly isIndex: boolean;
}

const uniqueKind: MemberKind<UniqueConstraint> = {
  list: (t) => t.uniques,
  same: (a, b) =>
    sameList(a.columns, b.columns) &&
    a.nullsNotDistinct === b.nullsNotDistinct &&
    a.deferrable === b.deferrable,
  add: (table, unique) => ({ kind: 'unique.add', table, unique }),
  drop: (table, unique) => ({ kind: 'unique.drop', table, unique }),
  isIndex: false,
};

const checkKind: MemberKind<CheckConstraint> = {
  list: (t) => t.checks,
  same: (a, b) => a.expression === b.expression && a.noInherit === b.noInherit,
  add: (table, check) => ({ kind: 'check.add', table, check }),
  drop: (table, check) => ({ kind: 'check.drop', table, check }),
  validate: (table, check) => ({ kind: 'check.validate', table, check }),
  isIndex: false,
};

const foreignKeyKind: MemberKind<ForeignKey> = {
  list: (t) => t.foreignKeys,
  same: (a, b) =>
    sameList(a.columns, b.columns) &&
    a.references.schema === b.references.schema &&
    a.references.table === b.references.table &&
    sameList(a.references.columns, b.references.columns) &&
    a.onDelete === b.onDelete &&
    a.onUpdate === b.onUpdate &&
    a.match === b.match &&
    a.deferrable === b.deferrable,
  add: (table, foreignKey) => ({ kind: 'fk.add', table, foreignKey }),
  drop: (table, foreignKey) => ({ kind: 'fk.drop', table, foreignKey }),
  validate: (table, foreignKey) => ({ kind: 'fk.validate', table, foreignKey }),
  isIndex: false,
};

const indexKind: MemberKind<Index> = {
  list: (t) => t.indexes,
  same: (a, b) =>
    a.valid &&
    a.unique === b.unique &&
    a.method === b.method &&
    JSON.stringify(a.keys) === JSON.stringify(b.keys) &&
    sameList(a.include, b.include) &&
    a.where === b.where &&
    a.nullsNotDistinct === b.nullsNotDistinct,
  add: (table, index) => ({ kind: 'index.create', table, index }),
  drop: (table, index) => ({ kind: 'index.drop', table, index }),
  replace: (table, index, old) => ({ kind: 'index.create', table, index, replaces: old }),
  isIndex: true,
};

function diffMemberKind<T extends Member>(
  kind: MemberKind<T>,
  live: Table,
  wanted: Table,
  ctx: TableContext,
  changes: Change[],
): Map<string, string> {
  // Desired name → live name of the members kept as they are (possibly renamed).
  const same = new Map<string, string>();
  const liveByName = new Map(kind.list(live).map((m) => [m.name, m]));
  const wantedNames = new Set(kind.list(wanted).map((m) => m.name));
  const matched = new Set<string>();
  for (const m of kind.list(wanted)) {
    let current = liveByName.get(m.name);
    if (current) {
      matched.add(m.name);
    } else {
      for (const old of ctx.ann.memberRenames.get(memberKey(wanted, m.name)) ?? []) {
        const candidate = liveByName.get(old);
        if (candidate && !wantedNames.has(old) && !matched.has(old)) {
          matched.add(old);
          current = candidate;
          if (kind.same(candidate, m)) {
            changes.push(
              kind.isIndex
                ? { kind: 'index.rename', table: wanted, from: old, to: m.name }
                : { kind: 'constraint.rename', table: wanted, from: old, to: m.name },
            );
          }
          break;
        }
      }
    }
    if (!current) {
      changes.push(kind.add(wanted, m));
      continue;
    }
    if (!kind.same(current, m)) {
      changes.push(kind.drop(live, current));
      changes.push(kind.replace ? kind.replace(wanted, m, current) : kind.add(wanted, m));
      continue;
    }
    same.set(m.name, current.name);
    const validFlag = (x: Member) => ('valid' in x ? x.valid : true);
    if (!validFlag(current) && validFlag(m) && kind.validate) changes.push(kind.validate(wanted, m));
    if (current.comment !== m.comment) {
      changes.push(
        kind.isIndex
          ? { kind: 'index.comment', table: wanted, index: m as Index }
          : { kind: 'constraint.comment', table: wanted, name: m.name, comment: m.comment },
      );
    }
  }
  for (const m of kind.list(live)) {
    if (!matched.has(m.name)) changes.push(kind.drop(live, m));
  }
  return same;
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
