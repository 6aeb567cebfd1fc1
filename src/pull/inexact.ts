import { displayName, displayPart } from '../model/keys.js';
import type { IntrospectionResult, RequiredObject } from '../model/types.js';
import { qualify, quoteIdent } from '../sql/quote.js';
import { isUnrepresentableKey } from './table-yaml.js';

/**
 * Facts of the live database that the desired-state format cannot say yet, so a pull is not exact for them.
 * Pull prints them as warnings (and the files carry comments where it can) instead of losing them silently.
 */

const INDEX_METHODS = new Set(['btree', 'hash', 'gist', 'spgist', 'gin', 'brin']);
const PUBLIC_COMMENT = 'standard public schema';

/**
 * Unmanaged types as `format_type` prints them (unqualified in public, the search_path of introspection),
 * but those pull writes under `requires:`, which plan creates where they are missing.
 */
function unmanagedTypeNames(
  result: IntrospectionResult,
  requires: readonly RequiredObject[],
): Map<string, string> {
  const required = new Set(requires.filter((r) => r.kind !== 'function').map((r) => r.name));
  const names = new Map<string, string>();
  for (const u of result.unmanaged) {
    if (u.kind !== 'domain' && u.kind !== 'composite type' && u.kind !== 'range type') continue;
    if (required.has(qualify(u))) continue;
    const printed = u.schema === 'public' ? quoteIdent(u.name) : qualify(u);
    names.set(printed, `${u.kind} ${displayName(u)}`);
  }
  return names;
}

export function inexactFacts(
  result: IntrospectionResult,
  requires: readonly RequiredObject[] = [],
): string[] {
  const out: string[] = [];
  const { model } = result;
  const unmanagedTypes = unmanagedTypeNames(result, requires);
  for (const s of model.schemas) {
    if (s.comment !== null && !(s.name === 'public' && s.comment === PUBLIC_COMMENT)) {
      out.push(`schema ${displayPart(s.name)} has a comment, which the YAML cannot hold`);
    }
  }
  const keyed = [
    ...model.enums.map((e) => ['enum', e] as const),
    ...model.sequences.map((s) => ['sequence', s] as const),
    ...model.tables.map((t) => ['table', t] as const),
  ];
  for (const [kind, o] of keyed) {
    if (isUnrepresentableKey(o.schema, o.name)) {
      out.push(
        `${kind} ${displayName(o)}: a dot in both the schema and the name cannot be written as a YAML key`,
      );
    }
  }
  for (const s of model.sequences) {
    if (s.ownedBy && (s.ownedBy.table.includes('.') || s.ownedBy.column.includes('.'))) {
      out.push(
        `sequence ${displayName(s)}: ownedBy cannot name a table or column with a dot; it is left out`,
      );
    }
  }
  for (const t of model.tables) {
    const name = displayName(t);
    for (const c of t.columns) {
      const type = unmanagedTypes.get(c.type.replace(/(\[\])+$/, ''));
      if (type) {
        out.push(
          `column ${c.name} of ${name} has the unmanaged ${type}; tidemark cannot create it in the shadow database`,
        );
      }
    }
    for (const c of t.checks) {
      if (!c.valid) out.push(`check ${c.name} on ${name} is NOT VALID; the YAML describes it validated`);
    }
    for (const f of t.foreignKeys) {
      if (!f.valid)
        out.push(`foreign key ${f.name} on ${name} is NOT VALID; the YAML describes it validated`);
    }
    for (const i of t.indexes) {
      if (!i.valid) out.push(`index ${i.name} on ${name} is INVALID (a failed concurrent build); rebuild it`);
      if (!INDEX_METHODS.has(i.method)) {
        out.push(`index ${i.name} on ${name} uses method ${i.method}, which the format does not accept yet`);
      }
    }
  }
  return out;
}
