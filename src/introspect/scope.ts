import type { QualifiedName } from '../model/types.js';

/** The ledger schema tidemark keeps its own bookkeeping in; never part of a user's model. */
export const LEDGER_SCHEMA = 'tidemark';

function isSystemSchema(name: string): boolean {
  return (
    name === 'pg_catalog' ||
    name === 'information_schema' ||
    name === 'pg_toast' ||
    /^pg_temp_\d+$/.test(name) ||
    /^pg_toast_temp_\d+$/.test(name)
  );
}

/** Configured schemas that tidemark may read: without the ledger and system schemas, deduplicated, sorted. */
export function managedSchemas(configured: readonly string[]): readonly string[] {
  return [...new Set(configured)].filter((s) => s !== LEDGER_SCHEMA && !isSystemSchema(s)).sort();
}

/**
 * `ignore` patterns match `schema.name` against raw (unquoted) names; `*` matches any run of characters,
 * everything else literally.
 */
export function ignoreMatcher(patterns: readonly string[]): (object: QualifiedName) => boolean {
  if (patterns.length === 0) return () => false;
  const regexes = patterns.map(
    (p) =>
      new RegExp(
        `^${p
          .split('*')
          .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
          .join('.*')}$`,
        's',
      ),
  );
  return (object) => {
    const text = `${object.schema}.${object.name}`;
    return regexes.some((r) => r.test(text));
  };
}
