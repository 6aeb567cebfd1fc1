import {
  type Document,
  isAlias,
  isMap,
  isNode,
  isPair,
  isScalar,
  isSeq,
  LineCounter,
  type Node,
  type Pair,
  parseAllDocuments,
  visit,
} from 'yaml';
import type { Diagnostic, SourceRef } from './types.js';

/**
 * One parsed YAML document with the means to turn a data path back into a `file:line:col`, so every
 * diagnostic points at the key or value the user wrote, even when it came in through an alias or merge key.
 */

export type PathSegment = string | number;
export type DataPath = readonly PathSegment[];

export interface ParsedDocument {
  /** The path as the user would type it: relative to the working directory. */
  readonly file: string;
  /** The document's data as plain JS (merge keys applied), or undefined when it has syntax errors. */
  readonly data: unknown;
  /** Position of the key (`which: 'key'`) or value of the node at `path`; the closest ancestor if absent. */
  at(path: DataPath, which?: 'key' | 'value'): SourceRef;
  /** Offset of the scalar at `path` in the file text, with its text and style, for SQL error positions. */
  scalar(path: DataPath): ScalarInfo | null;
  /**
   * Keys of the map at `path` in written order, merged keys where their `<<` stands. JS objects list
   * integer-like keys first, so column order is taken from here.
   */
  keys(path: DataPath): string[];
}

export interface ScalarInfo {
  /** Offset of the first character of the scalar in the file, including any quote or block header. */
  readonly offset: number;
  readonly valueEnd: number;
  readonly type: string;
  readonly text: string;
  readonly lineCounter: LineCounter;
}

export function syntaxDiagnostic(file: string, line: number, col: number, message: string): Diagnostic {
  return { file, line, col, path: '', code: 'yaml-syntax', severity: 'error', message, hint: null };
}

function lowerFirst(message: string): string {
  return message.charAt(0).toLowerCase() + message.slice(1);
}

const SYNTAX_HINTS: Readonly<Record<string, string>> = {
  TAB_AS_INDENT: 'indent with spaces; YAML does not allow tabs for indentation',
  DUPLICATE_KEY: 'each key may appear once in a mapping; merge the two entries',
  MISSING_CHAR: 'close the quote or bracket opened before this point',
  BAD_INDENT: 'check the indentation and that every [ or { is closed',
};

/** Parse one file's text; returns its documents (usually one) and YAML syntax diagnostics. */
export function parseYamlFile(
  file: string,
  text: string,
): { documents: ParsedDocument[]; diagnostics: Diagnostic[] } {
  const lineCounter = new LineCounter();
  const docs = parseAllDocuments(text, { lineCounter, merge: true, prettyErrors: false, uniqueKeys: true });
  const list = Array.isArray(docs) ? docs : [];
  const diagnostics: Diagnostic[] = [];
  const documents: ParsedDocument[] = [];
  for (const doc of list) {
    if (doc.errors.length > 0) {
      // An unclosed quote also upsets the indentation check at the same point; the quote is the cause.
      const specific = new Set(doc.errors.filter((e) => e.code !== 'BAD_INDENT').map((e) => e.pos[0]));
      for (const e of doc.errors) {
        if (e.code === 'BAD_INDENT' && specific.has(e.pos[0])) continue;
        const pos = lineCounter.linePos(e.pos[0]);
        let first = lowerFirst(e.message.split('\n')[0] ?? e.message);
        if (e.code === 'DUPLICATE_KEY') {
          const key = /^[^\s:,{}[\]]+/.exec(text.slice(e.pos[0]))?.[0];
          if (key) first = `key "${key}" appears twice in the same mapping`;
        }
        const d = syntaxDiagnostic(file, pos.line, pos.col, first);
        diagnostics.push({ ...d, hint: SYNTAX_HINTS[e.code] ?? null });
      }
      continue;
    }
    // Each walks the whole document; the text tells cheaply when there is nothing to find.
    if (MAYBE_UNSAFE_INTEGER.test(text)) keepUnsafeIntegersAsText(doc, text);
    const undefinedAliases = text.includes('*') ? findUndefinedAliases(doc, file, lineCounter) : [];
    if (undefinedAliases.length > 0) {
      diagnostics.push(...undefinedAliases);
      continue;
    }
    let data: unknown;
    try {
      data = doc.toJS({ maxAliasCount: 1000 });
    } catch (error) {
      const pos = lineCounter.linePos(0);
      diagnostics.push(syntaxDiagnostic(file, pos.line, pos.col, lowerFirst((error as Error).message)));
      continue;
    }
    documents.push(makeDocument(file, doc, data, lineCounter, text));
  }
  return { documents, diagnostics };
}

/** An alias to an anchor never defined (or defined in another file) is reported where it is used. */
function findUndefinedAliases(doc: Document, file: string, lineCounter: LineCounter): Diagnostic[] {
  const out: Diagnostic[] = [];
  visit(doc, {
    Alias(_key, node) {
      if (node.resolve(doc) !== undefined) return;
      const pos = lineCounter.linePos(node.range?.[0] ?? 0);
      out.push({
        ...syntaxDiagnostic(
          file,
          pos.line,
          pos.col,
          `alias *${node.source} refers to an anchor that is not defined`,
        ),
        hint: `define &${node.source} earlier in the same file (anchors do not reach across files), e.g. under an x- key`,
      });
    },
  });
  return out;
}

/** Sixteen digits in a row: every decimal integer beyond Number.MAX_SAFE_INTEGER has at least that many. */
const MAYBE_UNSAFE_INTEGER = /[0-9]{16}/;

/** An integer too large for a JS number keeps its written digits, so `maxValue` loses nothing. */
function keepUnsafeIntegersAsText(doc: Document, text: string): void {
  visit(doc, {
    Scalar(_key, node) {
      if (typeof node.value === 'number' && Number.isInteger(node.value) && node.range) {
        if (!Number.isSafeInteger(node.value)) {
          const raw = text.slice(node.range[0], node.range[1]).trim();
          if (/^[-+]?[0-9]+$/.test(raw)) node.value = raw.replace(/^\+/, '');
        }
      }
    },
  });
}

function makeDocument(
  file: string,
  doc: Document,
  data: unknown,
  lineCounter: LineCounter,
  text: string,
): ParsedDocument {
  const ref = (offset: number): SourceRef => {
    const p = lineCounter.linePos(offset);
    return { file, line: p.line, col: p.col };
  };
  const find = (path: DataPath): { key: Node | null; value: Node | null; lastOffset: number } => {
    let node: Node | null = deref(doc, doc.contents as Node | null);
    let key: Node | null = null;
    let lastOffset = node?.range?.[0] ?? 0;
    for (const seg of path) {
      if (node === null) break;
      const next = child(doc, node, seg);
      if (next === null) return { key: null, value: null, lastOffset };
      key = next.key;
      node = deref(doc, next.value);
      lastOffset = key?.range?.[0] ?? node?.range?.[0] ?? lastOffset;
    }
    return { key, value: node, lastOffset };
  };
  return {
    file,
    data,
    at(path, which = 'key') {
      const found = find(path);
      const node = which === 'key' ? (found.key ?? found.value) : (found.value ?? found.key);
      return ref(node?.range?.[0] ?? found.lastOffset);
    },
    keys(path) {
      const out: string[] = [];
      const seen = new Set<string>();
      const walk = (node: Node | null, depth: number) => {
        if (!node || !isMap(node) || depth > 20) return;
        for (const p of node.items) {
          if (isMergePair(p) && isPair(p)) {
            const sources = isSeq(p.value) ? p.value.items : [p.value];
            for (const src of sources) walk(deref(doc, src as Node), depth + 1);
            continue;
          }
          const k = isPair(p) ? keyText(p) : null;
          if (k !== null && !seen.has(k)) {
            seen.add(k);
            out.push(k);
          }
        }
      };
      walk(find(path).value, 0);
      return out;
    },
    scalar(path) {
      const found = find(path);
      const v = found.value;
      if (!v || !isScalar(v) || !v.range) return null;
      return {
        offset: v.range[0],
        valueEnd: v.range[1],
        type: String(v.type ?? 'PLAIN'),
        text,
        lineCounter,
      };
    },
  };
}

function deref(doc: Document, node: Node | null | undefined): Node | null {
  let n = node ?? null;
  for (let i = 0; i < 100 && n && isAlias(n); i++) n = (n.resolve(doc) as Node | undefined) ?? null;
  return n;
}

function child(doc: Document, node: Node, seg: PathSegment): { key: Node | null; value: Node | null } | null {
  if (isSeq(node)) {
    const item = typeof seg === 'number' ? node.items[seg] : undefined;
    return isNode(item) ? { key: item, value: item } : null;
  }
  if (!isMap(node)) return null;
  const own = ownPairs(node).get(String(seg));
  if (own) return { key: (own.key as Node | null) ?? null, value: (own.value as Node | null) ?? null };
  // Merged keys (`<<: *audit_columns`) point into the anchor, where the text actually is.
  for (const p of node.items) {
    if (!isMergePair(p) || !isPair(p)) continue;
    const sources = isSeq(p.value) ? p.value.items : [p.value];
    for (const s of sources) {
      const target = deref(doc, s as Node);
      if (target) {
        const found = child(doc, target, seg);
        if (found) return found;
      }
    }
  }
  return null;
}

/** With `merge: true` a merge key's value is a symbol; its source text is still `<<`. */
const pairIndex = new WeakMap<object, Map<string, Pair>>();

/** A map's own (non-merge) pairs by key, built once: lookups stay linear in the path, not the file. */
function ownPairs(node: { items: unknown[] }): Map<string, Pair> {
  let index = pairIndex.get(node);
  if (!index) {
    index = new Map();
    for (const p of node.items) {
      if (!isPair(p) || isMergePair(p)) continue;
      const k = keyText(p);
      if (k !== null && !index.has(k)) index.set(k, p);
    }
    pairIndex.set(node, index);
  }
  return index;
}

function isMergePair(p: unknown): boolean {
  return isPair(p) && isScalar(p.key) && (p.key.source === '<<' || p.key.value === '<<');
}

function keyText(p: Pair): string | null {
  if (isScalar(p.key)) return String(p.key.value);
  return null;
}
