import type { QualifiedName } from './types.js';

/**
 * Object keys: the one place where a schema object's identity becomes a string. Each part is quoted the way
 * PostgreSQL quotes identifiers, so a name holding a dot or a double quote stays unambiguous
 * (`"a.b"."c"` is not `"a"."b.c"`).
 */

export function keyPart(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

export function qualifiedKey(q: QualifiedName): string {
  return `${keyPart(q.schema)}.${keyPart(q.name)}`;
}

/** Key of an object that lives inside a table: a column, constraint or index. */
export function memberKey(table: QualifiedName, name: string): string {
  return `${qualifiedKey(table)}.${keyPart(name)}`;
}

/** Human form of a qualified name for messages: `public.children`, quoting only where needed. */
export function displayName(q: QualifiedName): string {
  return `${displayPart(q.schema)}.${displayPart(q.name)}`;
}

export function displayPart(name: string): string {
  return /^[a-z_][a-z0-9_$]*$/.test(name) ? name : keyPart(name);
}

/** Stable order for keyed lists: by schema, then name, by code unit (never locale dependent). */
export function compareQualified(a: QualifiedName, b: QualifiedName): number {
  return compareStrings(a.schema, b.schema) || compareStrings(a.name, b.name);
}

export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function byName<T extends { readonly name: string }>(a: T, b: T): number {
  return compareStrings(a.name, b.name);
}
