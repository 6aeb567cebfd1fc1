import type { Column } from '../model/types.js';

/**
 * Expressions PostgreSQL prints in a form that does not parse back to the tree it stored. The common case:
 * `status IN ('a', 'b')` on a varchar column is stored as `status::text = ANY (ARRAY['a'::character varying,
 * …]::text[])`, but that text, parsed again, casts each element instead of the array (`'a'::character
 * varying::text`), so a pulled check would never match the live one and every plan would want to rebuild
 * it. Pull writes such expressions back in the IN form that does reproduce the stored tree.
 */

const IDENT = '[a-z_][a-z0-9_$]*|"(?:[^"]|"")+"';
const VARCHAR_LITERAL = "'(?:[^']|'')*'::character varying";
const IN_LIST = new RegExp(
  String.raw`(^|[\s(])(${IDENT})::text (= ANY|<> ALL) \(ARRAY\[(${VARCHAR_LITERAL}(?:, ${VARCHAR_LITERAL})*)\]::text\[\]\)`,
  'g',
);
const ELEMENT = new RegExp(`(${VARCHAR_LITERAL.replace('::character varying', '')})::character varying`, 'g');

function unquote(ident: string): string {
  return ident.startsWith('"') ? ident.slice(1, -1).replaceAll('""', '"') : ident;
}

/** The expression with varchar IN / NOT IN lists in the form that reproduces the stored tree. */
export function restoreInLists(expression: string, columns: readonly Column[]): string {
  const varchar = new Set(
    columns.filter((c) => /^character varying(\(\d+\))?$/.test(c.type)).map((c) => c.name),
  );
  if (varchar.size === 0 || !expression.includes('::text[])')) return expression;
  return expression.replace(IN_LIST, (whole, before: string, ident: string, op: string, elements: string) => {
    if (!varchar.has(unquote(ident))) return whole;
    const values = elements.replace(ELEMENT, '$1');
    return `${before}${ident} ${op === '= ANY' ? 'IN' : 'NOT IN'} (${values})`;
  });
}
