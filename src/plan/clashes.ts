import type { Change } from '../diff/change.js';
import { sortDiagnostics } from '../load/diagnostic.js';
import type { DesiredState, Diagnostic } from '../load/types.js';
import { displayName, qualifiedKey } from '../model/keys.js';
import type { QualifiedName, UnmanagedKind, UnmanagedObject } from '../model/types.js';

/**
 * Objects tidemark leaves alone that hold a relation or type name: a table, sequence or enum the plan creates
 * under the same name would fail at apply ("relation already exists", "type already exists"; a table and a
 * sequence have a row type too). A partition detached in the desired state, or a view where the YAML has a
 * table, is the usual case. Found at plan time, so nothing is applied and the message says what is in the way.
 */
const NAME_HOLDERS: ReadonlySet<UnmanagedKind> = new Set<UnmanagedKind>([
  'view',
  'materialized view',
  'partitioned table',
  'partition',
  'inherited table',
  'foreign table',
  'domain',
  'composite type',
  'range type',
]);

export function nameClashes(
  changes: readonly Change[],
  unmanaged: readonly UnmanagedObject[],
  state: DesiredState,
): Diagnostic[] {
  const holders = new Map(unmanaged.filter((u) => NAME_HOLDERS.has(u.kind)).map((u) => [qualifiedKey(u), u]));
  if (holders.size === 0) return [];
  const declared = new Map(
    [
      ...state.tables.map((o) => ['table', o] as const),
      ...state.sequences.map((o) => ['sequence', o] as const),
      ...state.enums.map((o) => ['enum', o] as const),
    ].map(([kind, o]) => [`${kind} ${qualifiedKey(o)}`, o.source]),
  );
  const created = (kind: string, o: QualifiedName) => ({ kind, key: qualifiedKey(o), name: displayName(o) });
  const out: Diagnostic[] = [];
  for (const c of changes) {
    const made =
      c.kind === 'table.create'
        ? created('table', c.table)
        : c.kind === 'sequence.create'
          ? created('sequence', c.sequence)
          : c.kind === 'enum.create'
            ? created('enum', c.enum)
            : null;
    const holder = made && holders.get(made.key);
    if (!made || !holder) continue;
    const source = declared.get(`${made.kind} ${made.key}`) ?? { file: '(schema)', line: 1, col: 1 };
    out.push({
      ...source,
      path: '',
      code: 'name-taken',
      severity: 'error',
      message: `${made.kind} ${made.name} cannot be created: the database has a ${holder.kind} of that name, which tidemark does not manage`,
      hint: `rename one of them, or change the ${holder.kind} by hand first (tidemark leaves it as it is)`,
    });
  }
  return sortDiagnostics(out);
}
