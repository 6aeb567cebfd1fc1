/** Closest candidate by optimal-string-alignment distance, for "did you mean" hints on typos. */

export function editDistance(a: string, b: string): number {
  const d: number[][] = [];
  for (let i = 0; i <= a.length; i++) d.push(new Array<number>(b.length + 1).fill(0));
  const at = (i: number, j: number) => d[i]![j]!;
  for (let i = 0; i <= a.length; i++) d[i]![0] = i;
  for (let j = 0; j <= b.length; j++) d[0]![j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        v = Math.min(v, at(i - 2, j - 2) + 1);
      d[i]![j] = v;
    }
  }
  return at(a.length, b.length);
}

/**
 * The candidate nearest to `input`, when near enough to be a plausible typo: a case-only difference always
 * counts (`notnull` → `notNull`), otherwise at most a third of the word may differ.
 */
export function closest(input: string, candidates: readonly string[]): string | null {
  let best: string | null = null;
  let bestScore = Number.POSITIVE_INFINITY;
  for (const c of candidates) {
    if (c === input) continue;
    const score =
      c.toLowerCase() === input.toLowerCase() ? 0 : editDistance(input.toLowerCase(), c.toLowerCase());
    if (score < bestScore) {
      best = c;
      bestScore = score;
    }
  }
  if (best === null) return null;
  // SQL spellings like "ON DELETE CASCADE" or "initially deferred" contain the value meant.
  const words = ` ${input.toLowerCase().replace(/[^a-z0-9]+/g, ' ')} `;
  const contained = candidates
    .filter((c) => c.length > 2 && words.includes(` ${c.toLowerCase()} `))
    .sort((a, b) => b.length - a.length)[0];
  if (bestScore > 0 && contained !== undefined) return contained;
  const limit = Math.max(1, Math.floor(Math.max(input.length, best.length) / 3));
  return bestScore <= limit ? best : null;
}

export function didYouMean(input: string, candidates: readonly string[]): string | null {
  const c = closest(input, candidates);
  return c === null ? null : `did you mean "${c}"?`;
}
