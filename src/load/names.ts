/**
 * The names PostgreSQL gives constraints declared without one, so a column shorthand (`unique: true`) gets
 * exactly the name the server would generate and `pull` writes back. Mirrors makeObjectName() and
 * ChooseConstraintName() in src/backend/commands/indexcmds.c / catalog/pg_constraint.c.
 */

/** NAMEDATALEN - 1: the longest identifier PostgreSQL keeps, in bytes. */
export const MAX_IDENTIFIER_BYTES = 63;

const encoder = new TextEncoder();

export function byteLength(s: string): number {
  return encoder.encode(s).length;
}

/** The longest prefix of `s` of at most `bytes` UTF-8 bytes that does not split a character (pg_mbcliplen). */
export function clipBytes(s: string, bytes: number): string {
  let out = '';
  let used = 0;
  for (const ch of s) {
    const n = byteLength(ch);
    if (used + n > bytes) break;
    out += ch;
    used += n;
  }
  return out;
}

/** makeObjectName(name1, name2, label): shortens the longer of name1/name2 until the whole fits. */
export function makeObjectName(name1: string, name2: string | null, label: string | null): string {
  let overhead = 0;
  if (name2 !== null) overhead += 1;
  if (label !== null) overhead += byteLength(label) + 1;
  const avail = MAX_IDENTIFIER_BYTES - overhead;
  let n1 = byteLength(name1);
  let n2 = name2 === null ? 0 : byteLength(name2);
  while (n1 + n2 > avail) {
    if (n1 > n2) n1--;
    else n2--;
  }
  let result = clipBytes(name1, n1);
  if (name2 !== null) result += `_${clipBytes(name2, n2)}`;
  if (label !== null) result += `_${label}`;
  return result;
}

/** ChooseConstraintName: the first of `name`, `name1`, `name2`… (label numbered) not already taken. */
export function chooseConstraintName(
  name1: string,
  name2: string | null,
  label: string,
  taken: ReadonlySet<string>,
): string {
  let pass = 0;
  let modlabel = label;
  for (;;) {
    const candidate = makeObjectName(name1, name2, modlabel);
    if (!taken.has(candidate)) return candidate;
    pass++;
    modlabel = `${label}${pass}`;
  }
}
