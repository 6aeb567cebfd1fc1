import type { DiagnosticSink } from './diagnostic.js';
import { originOf } from './origin.js';
import type { DesiredForeignKey, DesiredTable } from './types.js';

/**
 * What PostgreSQL checks when it creates a foreign key, checked before it gets there: the referenced columns
 * must be exactly a primary key, unique constraint or plain unique index of the target, and each pair of
 * columns must be of comparable types.
 */

const sameSet = (a: readonly string[], b: readonly string[]) =>
  a.length === b.length && a.every((x) => b.includes(x));

export function checkForeignKeyTarget(
  table: DesiredTable,
  fk: DesiredForeignKey,
  target: DesiredTable,
  display: string,
  sink: DiagnosticSink,
): void {
  const o = originOf(fk);
  const cols = fk.references.columns;
  const keys = [
    ...(target.primaryKey ? [target.primaryKey.columns] : []),
    // PostgreSQL refuses a deferrable unique constraint as a foreign key's target.
    ...target.uniques.filter((u) => u.deferrable === false).map((u) => u.columns),
    ...target.indexes
      .filter((i) => i.unique && i.where === null && i.keys.every((k) => k.column !== null))
      .map((i) => i.keys.map((k) => k.column!)),
  ];
  if (!keys.some((k) => sameSet(k, cols))) {
    const one =
      cols.length === 1 ? `add unique: true to ${target.name}.${cols[0]}` : 'add a unique constraint on them';
    sink.add(
      o.doc,
      o.refColumnPath ? o.refColumnPath(0) : [...o.path, 'references'],
      'no-unique-target',
      `foreign key ${fk.name} references ${display} (${cols.join(', ')}), which is not a primary key or unique constraint of ${display}`,
      { which: 'value', hint: `${one}, or reference the primary key` },
    );
    return;
  }
  fk.columns.forEach((name, i) => {
    const from = table.columns.find((c) => c.name === name);
    const to = target.columns.find((c) => c.name === cols[i]);
    if (!from || !to) return;
    const a = typeFamily(from.type);
    const b = typeFamily(to.type);
    if (a === null || b === null || a === b) return;
    sink.add(
      o.doc,
      o.columnPath ? o.columnPath(i) : [...o.path, 'columns'],
      'fk-type-mismatch',
      `foreign key ${fk.name} links ${table.name}.${name} (${from.type}) to ${display}.${to.name} (${to.type}): PostgreSQL cannot compare these types`,
      { which: 'value', hint: `make ${table.name}.${name} of type ${to.type}` },
    );
  });
}

/** Broad families whose members PostgreSQL can compare; null when unsure, so only clear mismatches are flagged. */
function typeFamily(type: string): 'integer' | 'text' | 'uuid' | null {
  const t = type.trim().toLowerCase();
  if (/^(smallint|int2|integer|int|int4|bigint|int8)$/.test(t)) return 'integer';
  if (/^(text|varchar|character varying|char|character|bpchar)(\s*\(\s*\d+\s*\))?$/.test(t)) return 'text';
  if (t === 'uuid') return 'uuid';
  return null;
}
