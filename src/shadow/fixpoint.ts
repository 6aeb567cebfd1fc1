import { qualifiedKey } from '../model/keys.js';
import type { Model, Table } from '../model/types.js';
import { type CompileOptions, compileDesired } from './compile.js';
import { modelAsDesiredState } from './from-model.js';

/**
 * PostgreSQL does not always print an expression in a form that reads back to the same stored text: a
 * check `status IN ('a','b')` on a varchar column is printed as `(status)::text = ANY ((ARRAY['a'::character
 * varying, …])::text[])`, and that text, compiled again, is printed as `… ANY (ARRAY[('a'::character
 * varying)::text, …])`. The second form is stable. So the diff compares both sides after one more trip
 * through PostgreSQL: the live tables that might change and the compiled desired tables are each rendered
 * and compiled again, and only then compared. Plans are rendered from the stable form, so what apply
 * creates reads back exactly as planned.
 */
export async function canonicalTables(
  model: Model,
  keys: ReadonlySet<string>,
  options: Omit<CompileOptions, 'tables' | 'support'>,
): Promise<Map<string, Table>> {
  const byKey = new Map(model.tables.map((t) => [qualifiedKey(t), t]));
  const wanted = [...keys].filter((k) => byKey.has(k));
  if (wanted.length === 0) return new Map();
  const support = new Set<string>();
  for (const key of wanted) {
    for (const fk of byKey.get(key)!.foreignKeys) {
      const target = qualifiedKey({ schema: fk.references.schema, name: fk.references.table });
      if (byKey.has(target) && !keys.has(target)) support.add(target);
    }
  }
  const tables = [...wanted, ...support].sort().map((k) => byKey.get(k)!);
  const state = modelAsDesiredState(model, tables);
  const compiled = await compileDesired(state, { ...options, tables: state.tables, support });
  return new Map(
    compiled.model.tables.filter((t) => keys.has(qualifiedKey(t))).map((t) => [qualifiedKey(t), t]),
  );
}
