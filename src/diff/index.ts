import { compareQualified, memberKey, qualifiedKey } from '../model/keys.js';
import type { Column, EnumType, Model, QualifiedName, Table } from '../model/types.js';
import { qualify, quoteIdent } from '../sql/quote.js';
import { escapeRegExp } from '../util/regexp.js';
import type { DesiredAnnotations } from './annotations.js';
import type { Change } from './change.js';
import { diffEnumValues, diffExtensions, diffSchemas, diffSequences, matchEnumRenames } from './objects.js';
import { declaredColumnRenames, diffTable } from './table.js';

export { annotationsOf, type DesiredAnnotations, NO_ANNOTATIONS } from './annotations.js';
export type { Change, ChangeKind, ColumnField } from './change.js';

export interface ModelDiff {
  readonly changes: readonly Change[];
  /**
   * The model the database will have once the changes are applied: the desired model, except for what
   * PostgreSQL cannot change in place and the YAML does not ask for (column order of existing tables,
   * unpinned extension versions). Its fingerprint is a plan's `to`.
   */
  readonly expected: Model;
}

/** How a type is printed by format_type under the introspector's search_path (public). */
export function typeDisplayName(q: QualifiedName): string {
  return q.schema === 'public' ? quoteIdent(q.name) : qualify(q);
}

export function diffModels(
  from: Model,
  to: Model,
  ann: DesiredAnnotations,
  liveStable: ReadonlyMap<string, Table> = new Map(),
): ModelDiff {
  const changes: Change[] = [...diffSchemas(from, to)];
  const extensions = diffExtensions(from, to, ann);
  changes.push(...extensions.changes);

  // Tables: pair by key, then by declared rename.
  const liveTables = new Map(from.tables.map((t) => [qualifiedKey(t), t]));
  const wantedKeys = new Set(to.tables.map(qualifiedKey));
  const pairs: { live: Table; wanted: Table }[] = [];
  const created: Table[] = [];
  const pairedLive = new Set<string>();
  const tableRenames = new Map<string, QualifiedName>();
  for (const t of to.tables) {
    const key = qualifiedKey(t);
    let live = liveTables.get(key);
    if (live) pairedLive.add(key);
    else {
      for (const old of ann.tableRenames.get(key) ?? []) {
        const oldKey = qualifiedKey({ schema: t.schema, name: old });
        const candidate = liveTables.get(oldKey);
        if (candidate && !wantedKeys.has(oldKey) && !pairedLive.has(oldKey)) {
          live = candidate;
          pairedLive.add(oldKey);
          tableRenames.set(oldKey, { schema: t.schema, name: t.name });
          break;
        }
      }
    }
    if (live) pairs.push({ live, wanted: t });
    else created.push(t);
  }
  const dropped = from.tables.filter((t) => !pairedLive.has(qualifiedKey(t)));

  // Enums: renames, added values, or a recreate when values go away or change order.
  const enumRenames = matchEnumRenames(from, to, ann);
  const typeRenames = new Map<string, string>();
  for (const [oldKey, e] of enumRenames) {
    const old = from.enums.find((x) => qualifiedKey(x) === oldKey)!;
    typeRenames.set(typeDisplayName(old), typeDisplayName(e));
  }
  const liveEnums = new Map(from.enums.map((e) => [qualifiedKey(e), e]));
  const pairedEnums = new Set<string>();
  for (const e of to.enums) {
    const key = qualifiedKey(e);
    const renamedFrom = [...enumRenames].find(([, x]) => x === e)?.[0];
    const live = liveEnums.get(key) ?? (renamedFrom ? liveEnums.get(renamedFrom) : undefined);
    if (!live) {
      changes.push({ kind: 'enum.create', enum: e });
      continue;
    }
    pairedEnums.add(qualifiedKey(live));
    if (renamedFrom) changes.push({ kind: 'enum.rename', from: live, enum: e });
    const values = diffEnumValues(live, e, ann.enumValueRenames.get(key) ?? {});
    if (values.recreate) {
      const columns = enumColumns(pairs, typeDisplayName(live), ann);
      const removedValues = live.values.filter((v) => !e.values.includes(v));
      changes.push({ kind: 'enum.recreate', from: live, enum: e, columns, removedValues });
    } else changes.push(...values.changes);
    if (live.comment !== e.comment) changes.push({ kind: 'enum.comment', enum: e });
  }
  for (const e of from.enums) {
    if (!pairedEnums.has(qualifiedKey(e))) changes.push({ kind: 'enum.drop', enum: e });
  }

  changes.push(...diffSequences(from, to));

  const expectedTables: Table[] = [...created];
  for (const t of created) changes.push({ kind: 'table.create', table: t });
  for (const t of dropped) changes.push({ kind: 'table.drop', table: t });
  const columnRenamesByTable = new Map(
    pairs.map(
      ({ live, wanted }) => [qualifiedKey(wanted), declaredColumnRenames(live, wanted, ann)] as const,
    ),
  );
  // Generated columns using a column an enum rebuild converts are rebuilt around it (diff/table.ts).
  const enumConverted = new Set(
    changes.flatMap((c) =>
      c.kind === 'enum.recreate' ? c.columns.map((x) => memberKey(x.table, x.column.name)) : [],
    ),
  );
  for (const { live, wanted } of pairs) {
    const d = diffTable(live, wanted, {
      ann,
      tableRenames,
      typeRenames,
      qualifiedKeyOf: qualifiedKey,
      liveStable,
      columnRenamesByTable,
      enumConverted,
    });
    changes.push(...d.changes);
    expectedTables.push(d.expected);
  }
  changes.push(...rebuiltEnumDependents(changes, pairs));
  changes.push(...foreignKeysAcrossRetypes(changes, pairs));
  // Schemas are created, never dropped: the database keeps the ones it has.
  const schemaNames = new Set(from.schemas.map((s) => s.name));
  const schemas = [...from.schemas, ...to.schemas.filter((s) => !schemaNames.has(s.name))].sort((a, b) =>
    a.name < b.name ? -1 : a.name > b.name ? 1 : 0,
  );
  const expected: Model = {
    ...to,
    schemas,
    extensions: extensions.expected,
    tables: expectedTables.sort(compareQualified),
  };
  return { changes, expected };
}

/**
 * Checks and indexes that hold a value of an enum being rebuilt, on a table whose columns of that enum are
 * converted: PostgreSQL parses each again for the new column type, and `s <> 'b'::mood` then names the old
 * type (renamed aside), which the new one has no operator with. Those the diff does not already replace are
 * dropped before the conversion and created again after it, as they are (plan/steps/types.ts).
 */
function rebuiltEnumDependents(
  changes: readonly Change[],
  pairs: readonly { live: Table; wanted: Table }[],
): Change[] {
  const casts = new Map<string, RegExp[]>();
  for (const c of changes) {
    if (c.kind !== 'enum.recreate') continue;
    const name = escapeRegExp(typeDisplayName(c.from));
    const cast = new RegExp(`::${name}(?![\\w$"])`);
    for (const { table } of c.columns) {
      const key = qualifiedKey(table);
      casts.set(key, [...(casts.get(key) ?? []), cast]);
    }
  }
  if (casts.size === 0) return [];
  const touched = new Set(
    changes.flatMap((c) =>
      c.kind === 'check.drop' || c.kind === 'check.add'
        ? [`check ${qualifiedKey(c.table)} ${c.check.name}`]
        : c.kind === 'index.drop' || c.kind === 'index.create'
          ? [
              `index ${qualifiedKey(c.table)} ${c.kind === 'index.drop' ? c.index.name : (c.replaces?.name ?? c.index.name)}`,
            ]
          : [],
    ),
  );
  const out: Change[] = [];
  for (const { live, wanted } of pairs) {
    const tableCasts = casts.get(qualifiedKey(wanted));
    if (!tableCasts) continue;
    const holds = (text: string | null) => text !== null && tableCasts.some((r) => r.test(text));
    const key = qualifiedKey(wanted);
    for (const check of live.checks) {
      const kept = wanted.checks.find((x) => x.name === check.name);
      if (!kept || !holds(check.expression) || touched.has(`check ${key} ${check.name}`)) continue;
      out.push({ kind: 'check.drop', table: live, check }, { kind: 'check.add', table: wanted, check: kept });
    }
    for (const index of live.indexes) {
      const kept = wanted.indexes.find((x) => x.name === index.name);
      const texts = [index.where, ...index.keys.map((k) => k.expression)];
      if (!kept || !texts.some(holds) || touched.has(`index ${key} ${index.name}`)) continue;
      out.push(
        { kind: 'index.drop', table: live, index },
        { kind: 'index.create', table: wanted, index: kept, replaces: index },
      );
    }
  }
  return out;
}

/**
 * A foreign key whose columns change type on both sides (bigint → timestamp on the key and on the column
 * referencing it) cannot stay while either changes: PostgreSQL checks it again after each ALTER and finds
 * the two sides incompatible in between. It is dropped before the type changes and added again after them
 * (NOT VALID, then validated). A change on one side only is checked against the other side's final type,
 * which the desired state already proved compatible.
 */
function foreignKeysAcrossRetypes(
  changes: readonly Change[],
  pairs: readonly { live: Table; wanted: Table }[],
): Change[] {
  const retyped = new Set(
    changes.flatMap((c) =>
      c.kind === 'column.alter' && c.fields.includes('type') ? [memberKey(c.table, c.column.name)] : [],
    ),
  );
  if (retyped.size === 0) return [];
  const touched = new Set(
    changes.flatMap((c) =>
      c.kind === 'fk.drop' || c.kind === 'fk.add' ? [memberKey(c.table, c.foreignKey.name)] : [],
    ),
  );
  const out: Change[] = [];
  for (const { live, wanted } of pairs) {
    for (const fk of wanted.foreignKeys) {
      const current = live.foreignKeys.find((x) => x.name === fk.name);
      if (!current || touched.has(memberKey(wanted, fk.name))) continue;
      const target = { schema: fk.references.schema, name: fk.references.table };
      const local = fk.columns.some((c) => retyped.has(memberKey(wanted, c)));
      const remote = fk.references.columns.some((c) => retyped.has(memberKey(target, c)));
      if (local && remote) {
        out.push(
          { kind: 'fk.drop', table: live, foreignKey: current },
          { kind: 'fk.add', table: wanted, foreignKey: fk },
        );
      }
    }
  }
  return out;
}

/**
 * The columns of an enum being rebuilt that the plan converts: those the desired state keeps, by their live
 * name (the conversion runs before renames). Columns the plan drops are not converted: they are dropped
 * before the conversion, and the old type only after them.
 */
function enumColumns(
  pairs: readonly { live: Table; wanted: Table }[],
  typeName: string,
  ann: DesiredAnnotations,
): { table: QualifiedName; column: Column; default: string | null }[] {
  const out: { table: QualifiedName; column: Column; default: string | null }[] = [];
  for (const { live, wanted } of pairs) {
    const renames = declaredColumnRenames(live, wanted, ann);
    for (const c of live.columns) {
      if (c.type !== typeName && c.type !== `${typeName}[]`) continue;
      const desiredName = renames.get(c.name) ?? c.name;
      const desired = wanted.columns.find((w) => w.name === desiredName);
      if (desired) out.push({ table: live, column: c, default: desired.default });
    }
  }
  return out;
}

export function describeEnum(e: EnumType): string {
  return qualify(e);
}
