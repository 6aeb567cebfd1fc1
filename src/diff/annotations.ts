import type { DesiredState } from '../load/types.js';
import { memberKey, qualifiedKey } from '../model/keys.js';

/**
 * What only the YAML knows, keyed by the canonical object keys of the desired model: declared renames,
 * backfill expressions, and whether an extension's version was pinned. The shadow-compiled model carries none
 * of this, so the diff reads it from here.
 */
export interface DesiredAnnotations {
  /** Table key → former names (same schema), most recent first. */
  readonly tableRenames: ReadonlyMap<string, readonly string[]>;
  /** Column member key → former names. */
  readonly columnRenames: ReadonlyMap<string, readonly string[]>;
  /** Constraint or index member key → former names. */
  readonly memberRenames: ReadonlyMap<string, readonly string[]>;
  /** Column member key → backfill SQL expression. */
  readonly backfills: ReadonlyMap<string, string>;
  /** Enum key → former names. */
  readonly enumRenames: ReadonlyMap<string, readonly string[]>;
  /** Enum key → value renames (new value → old value). */
  readonly enumValueRenames: ReadonlyMap<string, Readonly<Record<string, string>>>;
  /** Extensions whose version the YAML pins; others accept whatever version is installed. */
  readonly pinnedExtensions: ReadonlySet<string>;
}

export const NO_ANNOTATIONS: DesiredAnnotations = {
  tableRenames: new Map(),
  columnRenames: new Map(),
  memberRenames: new Map(),
  backfills: new Map(),
  enumRenames: new Map(),
  enumValueRenames: new Map(),
  pinnedExtensions: new Set(),
};

export function annotationsOf(state: DesiredState): DesiredAnnotations {
  const tableRenames = new Map<string, readonly string[]>();
  const columnRenames = new Map<string, readonly string[]>();
  const memberRenames = new Map<string, readonly string[]>();
  const backfills = new Map<string, string>();
  for (const t of state.tables) {
    if (t.renamedFrom.length > 0) tableRenames.set(qualifiedKey(t), t.renamedFrom);
    for (const c of t.columns) {
      if (c.renamedFrom.length > 0) columnRenames.set(memberKey(t, c.name), c.renamedFrom);
      if (c.backfill !== null) backfills.set(memberKey(t, c.name), c.backfill);
    }
    const members = [
      ...(t.primaryKey ? [t.primaryKey] : []),
      ...t.uniques,
      ...t.checks,
      ...t.foreignKeys,
      ...t.indexes,
    ];
    for (const m of members) {
      if (m.renamedFrom.length > 0) memberRenames.set(memberKey(t, m.name), m.renamedFrom);
    }
  }
  const enumRenames = new Map<string, readonly string[]>();
  const enumValueRenames = new Map<string, Readonly<Record<string, string>>>();
  for (const e of state.enums) {
    if (e.renamedFrom.length > 0) enumRenames.set(qualifiedKey(e), e.renamedFrom);
    if (Object.keys(e.valueRenames).length > 0) enumValueRenames.set(qualifiedKey(e), e.valueRenames);
  }
  const pinnedExtensions = new Set(state.extensions.filter((e) => e.version !== null).map((e) => e.name));
  return {
    tableRenames,
    columnRenames,
    memberRenames,
    backfills,
    enumRenames,
    enumValueRenames,
    pinnedExtensions,
  };
}
