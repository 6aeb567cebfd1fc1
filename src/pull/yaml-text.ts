/**
 * A small YAML emitter for pulled files. The `yaml` package's stringifier folds long flow collections and
 * picks quoting styles by heuristics; pulled files must be byte-stable and read back to exactly the same
 * strings, so scalars are quoted by one conservative rule here and layout is decided explicitly.
 */

export type YamlNode = YamlScalar | YamlMap | YamlSeq;

/** A string value, or `raw` text written as is (booleans and decimal integers only). */
export type YamlScalar =
  | { readonly kind: 'str'; readonly value: string }
  | { readonly kind: 'raw'; readonly text: string };

export interface YamlEntry {
  readonly key: string;
  readonly value: YamlNode;
  /** Comment lines written above the entry, without the `# `. */
  readonly comments?: readonly string[];
}

export interface YamlMap {
  readonly kind: 'map';
  readonly entries: readonly YamlEntry[];
  /** `block` forces one key per line; `auto` uses `{ … }` when it fits on the line. */
  readonly style: 'block' | 'auto';
}

export interface YamlSeq {
  readonly kind: 'seq';
  readonly items: readonly YamlNode[];
  readonly style: 'block' | 'auto';
}

export const LINE_WIDTH = 110;

export const str = (value: string): YamlScalar => ({ kind: 'str', value });
export const bool = (value: boolean): YamlScalar => ({ kind: 'raw', text: value ? 'true' : 'false' });
export const map = (entries: readonly YamlEntry[], style: 'block' | 'auto' = 'auto'): YamlMap => ({
  kind: 'map',
  entries,
  style,
});
export const seq = (items: readonly YamlNode[], style: 'block' | 'auto' = 'auto'): YamlSeq => ({
  kind: 'seq',
  items,
  style,
});

/**
 * An integer written as a YAML number when a JavaScript number holds it exactly, else as a string (the
 * format accepts both; a bigint beyond 2^53 would lose digits as a number).
 */
export function integer(text: string): YamlScalar {
  return /^-?(0|[1-9][0-9]*)$/.test(text) && Number.isSafeInteger(Number(text))
    ? { kind: 'raw', text }
    : str(text);
}

// Words that a YAML 1.1 or 1.2 reader turns into a boolean or null. Quoted so no reader sees anything else.
const SPECIAL_WORDS = new Set(['true', 'false', 'yes', 'no', 'on', 'off', 'y', 'n', 'null', '~']);

/**
 * Plain (unquoted) only for text that every YAML reader reads back as the same string in block and flow
 * context: starts with a letter or underscore, ASCII, no flow indicators, no `#`, no `: `, no trailing space.
 */
export function isPlainSafe(value: string): boolean {
  if (!/^[A-Za-z_][A-Za-z0-9_ .()'"/+*<>=!$%&|^~?@;:-]*$/.test(value)) return false;
  if (value.endsWith(' ') || value.endsWith(':') || value.includes(': ')) return false;
  return !SPECIAL_WORDS.has(value.toLowerCase());
}

/** A double-quoted YAML scalar: JSON escapes, plus escapes for characters YAML forbids or folds. */
export function doubleQuoted(value: string): string {
  return JSON.stringify(value).replace(
    /[\u007f-\u009f\u00a0\u2028\u2029\ufeff]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

export function scalarText(value: string): string {
  return isPlainSafe(value) ? value : doubleQuoted(value);
}

function scalar(node: YamlScalar): string {
  return node.kind === 'raw' ? node.text : scalarText(node.value);
}

/** The node on one line in flow style, or null when it must be written in block style. */
function flowText(node: YamlNode): string | null {
  switch (node.kind) {
    case 'str':
    case 'raw':
      return scalar(node);
    case 'map': {
      if (node.style === 'block' || node.entries.some((e) => e.comments && e.comments.length > 0))
        return null;
      const parts: string[] = [];
      for (const e of node.entries) {
        const v = flowText(e.value);
        if (v === null) return null;
        parts.push(`${scalarText(e.key)}: ${v}`);
      }
      return parts.length === 0 ? '{}' : `{ ${parts.join(', ')} }`;
    }
    case 'seq': {
      if (node.style === 'block') return null;
      const parts: string[] = [];
      for (const item of node.items) {
        const v = flowText(item);
        if (v === null) return null;
        parts.push(v);
      }
      return `[${parts.join(', ')}]`;
    }
  }
}

function commentLines(lines: readonly string[] | undefined, indent: string): string[] {
  // A line break inside a comment would end it and turn the rest into YAML.
  return (lines ?? []).map((line) =>
    `${indent}# ${line.replace(/[\r\n\u0085\u2028\u2029]/g, ' ')}`.trimEnd(),
  );
}

/** Lines of a map's entries at the given indentation. */
function blockMap(node: YamlMap, indent: string): string[] {
  const out: string[] = [];
  for (const e of node.entries) {
    out.push(...commentLines(e.comments, indent));
    const head = `${indent}${scalarText(e.key)}:`;
    out.push(...valueLines(head, e.value, indent));
  }
  return out;
}

function blockSeq(node: YamlSeq, indent: string): string[] {
  const out: string[] = [];
  for (const item of node.items) {
    const head = `${indent}-`;
    const flow = flowText(item);
    if (flow !== null && head.length + 1 + flow.length <= LINE_WIDTH) {
      out.push(`${head} ${flow}`);
    } else if (item.kind === 'map' && item.entries.length > 0 && !item.entries[0]!.comments?.length) {
      // `- key: value` with the remaining keys aligned under the first.
      const lines = blockMap(item, `${indent}  `);
      out.push(`${head} ${lines[0]!.slice(indent.length + 2)}`, ...lines.slice(1));
    } else {
      out.push(...valueLines(head, item, indent));
    }
  }
  return out;
}

/**
 * A multi-line string (a function's SQL) as a literal block, `|-` or `|`, the way a person would write it:
 * where the block reads back as exactly the same text. Otherwise null, and the string is double-quoted.
 * Not for text with a carriage return, a tab or other control character, trailing blanks on a line (editors
 * strip them), a first line that is blank or starts with a space (its indentation would be misread), or
 * more than one final line break.
 */
function literalLines(value: string, indent: string): string[] | null {
  if (!value.includes('\n') || value.endsWith('\n\n')) return null;
  if (/[^\n\x20-\x7e\u00a0-\ud7ff\ue000-\ufffd]/.test(value)) return null;
  const body = value.endsWith('\n') ? value.slice(0, -1) : value;
  const lines = body.split('\n');
  if (lines[0] === '' || lines[0]!.startsWith(' ') || lines.some((l) => l.endsWith(' '))) return null;
  return [value.endsWith('\n') ? '|' : '|-', ...lines.map((l) => (l === '' ? '' : `${indent}${l}`))];
}

/** `head` is `key:` or `-`; the value follows on the same line when it fits, else indented below. */
function valueLines(head: string, value: YamlNode, indent: string): string[] {
  const literal = value.kind === 'str' ? literalLines(value.value, `${indent}  `) : null;
  if (literal) return [`${head} ${literal[0]}`, ...literal.slice(1)];
  const flow = flowText(value);
  if (flow !== null && head.length + 1 + flow.length <= LINE_WIDTH) return [`${head} ${flow}`];
  if (value.kind === 'map' && value.entries.length > 0) return [head, ...blockMap(value, `${indent}  `)];
  if (value.kind === 'seq' && value.items.length > 0) return [head, ...blockSeq(value, `${indent}  `)];
  // A scalar too long for the line: still one line, so the text is never folded.
  return [`${head} ${flow ?? (value.kind === 'map' ? '{}' : '[]')}`];
}

/** A whole document: optional leading comment lines, then the top-level map in block style. */
export function renderDocument(header: readonly string[], root: YamlMap): string {
  const lines = [...commentLines(header, ''), ...blockMap(root, '')];
  return `${lines.join('\n')}\n`;
}
