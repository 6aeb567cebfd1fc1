import type { DesiredState, SourceRef } from '../load/types.js';
import type { Model, Table } from '../model/types.js';

const NO_SOURCE: SourceRef = { file: '(database)', line: 1, col: 1 };

/**
 * A model seen as a desired state, so the same DDL renderer and shadow compiler can canonicalise it: used to
 * read an already-canonical model back through PostgreSQL once more (see shadow/fixpoint.ts). `requires`:
 * what the desired tables need that the target may lack (a domain only the YAML defines).
 */
export function modelAsDesiredState(
  model: Model,
  tables: readonly Table[],
  requires: DesiredState['requires'] = [],
): DesiredState {
  const ann = { source: NO_SOURCE, renamedFrom: [] as string[] };
  return {
    schemas: model.schemas.map((s) => s.name),
    extensions: model.extensions.map((e) => ({ ...e, source: NO_SOURCE })),
    requires,
    enums: model.enums.map((e) => ({ ...e, ...ann, valueRenames: {} })),
    sequences: model.sequences.map((s) => ({
      schema: s.schema,
      name: s.name,
      ownedBy: s.ownedBy,
      comment: s.comment,
      options: {
        type: s.type,
        start: s.start,
        increment: s.increment,
        min: s.min,
        max: s.max,
        cache: s.cache,
        cycle: s.cycle,
      },
      ...ann,
    })),
    tables: tables.map((t) => ({
      ...t,
      ...ann,
      columns: t.columns.map((c) => ({ ...c, ...ann, backfill: null })),
      primaryKey: t.primaryKey ? { ...t.primaryKey, ...ann } : null,
      uniques: t.uniques.map((u) => ({ ...u, ...ann })),
      checks: t.checks.map((c) => ({ ...c, ...ann })),
      foreignKeys: t.foreignKeys.map((f) => ({ ...f, ...ann })),
      indexes: t.indexes.map((i) => ({ ...i, ...ann })),
    })),
    files: [],
    hash: '',
  };
}
