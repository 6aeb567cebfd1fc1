import { compareQualified, qualifiedKey } from '../model/keys.js';
import type { Column, EnumType, Model, QualifiedName, Table } from '../model/types.js';
import { qualify, quoteIdent } from '../sql/quote.js';
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
      const columns = enumColumns(pairs, typeDisplayName(live));
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
  for (const { live, wanted } of pairs) {
    const d = diffTable(live, wanted, {
      ann,
      tableRenames,
      typeRenames,
      qualifiedKeyOf: qualifiedKey,
      liveStable,
      columnRenamesByTable,
    });
    changes.push(...d.changes);
    expectedTables.push(d.expected);
  }
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

function enumColumns(
  pairs: readonly { live: Table; wanted: Table }[],
  typeName: string,
): { table: QualifiedName; column: Column; default: string | null }[] {
  const out: { table: QualifiedName; column: Column; default: string | null }[] = [];
  for (const { live, wanted } of pairs) {
    for (const c of live.columns) {
      if (c.type !== typeName && c.type !== `${typeName}[]`) continue;
      const desired = wanted.columns.find((w) => w.name === c.name);
      out.push({ table: live, column: c, default: desired?.default ?? null });
    }
  }
  return out;
}

export function describeEnum(e: EnumType): string {
  return qualify(e);
}
