/**
 * What a column type change costs, judged from the two types as format_type prints them. PostgreSQL skips
 * the table rewrite for binary-coercible changes that can only widen (varchar(50) → varchar(100) or text,
 * numeric(10,2) → numeric(12,2)); narrowing can lose or reject data and always checks every row.
 */
export type TypeChangeCost = 'metadata-only' | 'rewrite' | 'lossy';

interface ParsedType {
  readonly base: string;
  readonly args: readonly number[];
  readonly array: boolean;
}

function parseType(type: string): ParsedType {
  const array = type.endsWith('[]');
  const bare = array ? type.slice(0, -2) : type;
  const m = /^([^(]*?)\s*(?:\(([\d,\s]+)\))?(\s+with(?:out)? time zone)?$/.exec(bare);
  if (!m) return { base: bare, args: [], array };
  const base = `${m[1]}${m[3] ?? ''}`;
  const args = m[2] ? m[2].split(',').map((s) => Number(s.trim())) : [];
  return { base, args, array };
}

const TEXT_LIKE = new Set(['text', 'character varying']);
const INTEGER_WIDTH: Readonly<Record<string, number>> = { smallint: 2, integer: 4, bigint: 8 };

export function classifyTypeChange(fromType: string, toType: string): TypeChangeCost {
  const a = parseType(fromType);
  const b = parseType(toType);
  if (a.array !== b.array) return 'rewrite';
  if (a.array) {
    // PostgreSQL converts arrays element by element (an ArrayCoerceExpr), which always rewrites the table,
    // even where the element change alone would be metadata-only.
    const element = classifyTypeChange(fromType.slice(0, -2), toType.slice(0, -2));
    return element === 'metadata-only' ? 'rewrite' : element;
  }
  // Strings: varchar(n) and text share a representation; only a length limit may be added or lowered.
  if (TEXT_LIKE.has(a.base) && TEXT_LIKE.has(b.base)) {
    const fromLimit = a.base === 'text' ? Number.POSITIVE_INFINITY : (a.args[0] ?? Number.POSITIVE_INFINITY);
    const toLimit = b.base === 'text' ? Number.POSITIVE_INFINITY : (b.args[0] ?? Number.POSITIVE_INFINITY);
    return toLimit >= fromLimit ? 'metadata-only' : 'lossy';
  }
  if (a.base === 'character' && b.base === 'character') {
    return (b.args[0] ?? 1) >= (a.args[0] ?? 1) ? 'rewrite' : 'lossy';
  }
  if (a.base === 'numeric' && b.base === 'numeric') {
    if (b.args.length === 0) return 'metadata-only';
    if (a.args.length === 0) return 'lossy';
    const [p1 = 0, s1 = 0] = a.args;
    const [p2 = 0, s2 = 0] = b.args;
    if (s2 < s1 || p2 - s2 < p1 - s1) return 'lossy';
    return s2 === s1 ? 'metadata-only' : 'rewrite';
  }
  const wa = INTEGER_WIDTH[a.base];
  const wb = INTEGER_WIDTH[b.base];
  if (wa !== undefined && wb !== undefined) return wb < wa ? 'lossy' : 'rewrite';
  if (
    (a.base === 'bit varying' && b.base === 'bit varying') ||
    (a.base === 'varbit' && b.base === 'varbit')
  ) {
    return (b.args[0] ?? Number.POSITIVE_INFINITY) >= (a.args[0] ?? Number.POSITIVE_INFINITY)
      ? 'metadata-only'
      : 'lossy';
  }
  if (wa !== undefined && (b.base === 'real' || b.base === 'double precision' || b.base === 'numeric')) {
    return 'rewrite';
  }
  if (/^(timestamp|time)/.test(a.base) && a.base === b.base) {
    return (b.args[0] ?? 6) >= (a.args[0] ?? 6) ? 'metadata-only' : 'lossy';
  }
  return 'rewrite';
}
