import { canonicalType, enumOf, familyOf, type GSchema, type GTable } from './schema-model.js';

/**
 * Make any generated or edited schema a valid desired state, as a user fixing their YAML would: references to
 * vanished columns, tables and enums go, foreign keys whose column type no longer matches the key go,
 * identity stays on integer primary keys only, collations on text only.
 */
export function repair(s: GSchema): GSchema {
  for (const t of s.tables) {
    for (const c of t.columns) {
      if (familyOf(c.type) === 'enum' && !enumOf(c, s.enums)) c.type = 'text';
      if (familyOf(c.type) !== 'text') c.collation = null;
    }
    const id = t.columns[0]!;
    id.notNull = true;
    id.collation = null;
    if (!['integer', 'int', 'int4', 'bigint', 'int8', 'smallint'].includes(id.type)) id.identity = null;
    for (const c of t.columns.slice(1)) c.identity = null;
    if (id.identity !== null) id.default = null;
    repairMembers(t, s);
  }
  return s;
}

function repairMembers(t: GTable, s: GSchema): void {
  const has = (uid: number) => t.columns.some((c) => c.uid === uid);
  const type = (uid: number) => t.columns.find((c) => c.uid === uid)!.type;
  t.checks = t.checks.filter((k) => has(k.column));
  t.uniques = t.uniques
    .map((u) => ({ ...u, columns: [...new Set(u.columns.filter(has))] }))
    .filter((u) => u.columns.length > 0);
  t.foreignKeys = t.foreignKeys.filter((f) => {
    const target = s.tables.find((x) => x.uid === f.target);
    return (
      has(f.column) && target && canonicalType(type(f.column)) === canonicalType(target.columns[0]!.type)
    );
  });
  t.indexes = t.indexes
    .map((i) => ({
      ...i,
      keys: i.keys
        .filter((k) => has(k.column))
        .map((k) => ({ ...k, lower: k.lower && familyOf(type(k.column)) === 'text' })),
      where: i.where !== null && has(i.where) ? i.where : null,
    }))
    .filter((i) => i.keys.length > 0);
}
