/**
 * `ignore` patterns from tidemark.yaml: `schema.name` globs (`*` any run of characters, `?` one). A pattern
 * without a dot matches the name in any schema.
 */

function globToRegExp(glob: string): RegExp {
  const body = glob
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replaceAll('*', '.*')
    .replaceAll('?', '.');
  return new RegExp(`^${body}$`);
}

export function isIgnored(patterns: readonly string[], schema: string, name: string): boolean {
  return patterns.some((p) =>
    p.includes('.') ? globToRegExp(p).test(`${schema}.${name}`) : globToRegExp(p).test(name),
  );
}
