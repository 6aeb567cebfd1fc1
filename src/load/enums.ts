import { displayPart } from '../model/keys.js';
import { checkLength } from './check-names.js';
import type { DiagnosticSink } from './diagnostic.js';
import { originOf } from './origin.js';
import type { DesiredEnum, DesiredTable } from './types.js';

export function checkEnum(e: DesiredEnum, sink: DiagnosticSink): void {
  const o = originOf(e);
  checkLength(e, e.name, 'enum', sink);
  const seen = new Set<string>();
  e.values.forEach((v, i) => {
    const path = o.columnPath?.(i) ?? o.path;
    if (seen.has(v)) {
      sink.add(o.doc, path, 'duplicate-value', `enum ${e.name} lists the value "${v}" twice`, {
        which: 'value',
        hint: 'each enum value may appear once',
      });
    }
    seen.add(v);
    checkLength(e, v, 'enum value', sink, path);
  });
  for (const [next, old] of Object.entries(e.valueRenames)) {
    const path = [...o.path, 'renameValues', next];
    if (!seen.has(next)) {
      sink.add(
        o.doc,
        path,
        'unknown-value',
        `enum ${e.name} renames "${old}" to "${next}", but "${next}" is not in its values`,
        {
          hint: `add "${next}" to values in place of "${old}"`,
        },
      );
    }
    if (seen.has(old)) {
      sink.add(
        o.doc,
        path,
        'rename-collision',
        `enum ${e.name} renames "${old}" to "${next}", but "${old}" is still in its values`,
        {
          hint: `remove "${old}" from values: after the rename it no longer exists`,
        },
      );
    }
  }
}

const SIMPLE_TYPE = /^([a-z_][a-z0-9_$]*)((?:\s*\[\s*\d*\s*\])*)$/;

/**
 * The shadow database compiles with search_path = public, so an unqualified enum name written in a file whose
 * `schema:` is not public, naming an enum of that same schema, is qualified here (`kind` → `app.kind`).
 */
export function qualifyEnumTypes(
  tables: readonly DesiredTable[],
  enums: readonly DesiredEnum[],
  namespaceOf: (t: DesiredTable) => string,
): DesiredTable[] {
  const known = new Set(enums.map((e) => `${e.schema}\0${e.name}`));
  return tables.map((t) => {
    const ns = namespaceOf(t);
    if (ns === 'public') return t;
    let changed = false;
    const columns = t.columns.map((c) => {
      const m = SIMPLE_TYPE.exec(c.type.trim());
      if (!m || !known.has(`${ns}\0${m[1]}`)) return c;
      changed = true;
      return { ...c, type: `${displayPart(ns)}.${m[1]}${m[2] ?? ''}` };
    });
    return changed ? { ...t, columns } : t;
  });
}
