import { quoteIdent } from '../sql/quote.js';

/**
 * Rewrite identifiers in a catalog-printed SQL expression through a rename map, leaving string literals and
 * everything else alone. PostgreSQL stores expressions by column number, so after `RENAME COLUMN a TO b` a
 * check printed as `(a > 0)` reads `(b > 0)`; comparing a live expression with the desired one across a
 * declared rename needs the same rewrite on the live text. Only used to decide equality, never to emit SQL.
 */
export function renameIdentifiers(expression: string, renames: ReadonlyMap<string, string>): string {
  if (renames.size === 0) return expression;
  let out = '';
  let i = 0;
  const n = expression.length;
  while (i < n) {
    const ch = expression[i]!;
    if (ch === "'") {
      // String literal, '' escapes a quote.
      let j = i + 1;
      while (j < n) {
        if (expression[j] === "'") {
          if (expression[j + 1] === "'") j += 2;
          else break;
        } else j++;
      }
      out += expression.slice(i, j + 1);
      i = j + 1;
    } else if (ch === '"') {
      let j = i + 1;
      let name = '';
      while (j < n) {
        if (expression[j] === '"') {
          if (expression[j + 1] === '"') {
            name += '"';
            j += 2;
          } else break;
        } else name += expression[j++];
      }
      const renamed = renames.get(name);
      out += renamed !== undefined ? quoteIdent(renamed) : expression.slice(i, j + 1);
      i = j + 1;
    } else if (/[A-Za-z_\u0080-\uffff]/.test(ch)) {
      let j = i + 1;
      while (j < n && /[A-Za-z0-9_$\u0080-\uffff]/.test(expression[j]!)) j++;
      const word = expression.slice(i, j);
      // A word right after '.' or '::' is a field, function or type name, not one of our columns.
      const before = out.trimEnd();
      const qualified = before.endsWith('.') || before.endsWith('::');
      const renamed = qualified ? undefined : renames.get(word);
      out += renamed !== undefined ? quoteIdent(renamed) : word;
      i = j;
    } else {
      out += ch;
      i++;
    }
  }
  return out;
}
