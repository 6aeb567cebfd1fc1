import { checkSqlFragment, type SqlFragmentKind } from '../sql/expr-check.js';
import type { DiagnosticSink } from './diagnostic.js';
import { dottedPath } from './diagnostic.js';
import { identifierName } from './normalise-index.js';
import { isRecord } from './origin.js';
import type { DataPath, ParsedDocument, ScalarInfo } from './source.js';

/**
 * Every SQL fragment in a document, parsed offline; a syntax error becomes a diagnostic at the character of
 * the YAML scalar where PostgreSQL's parser stopped.
 */

interface Fragment {
  readonly path: DataPath;
  readonly text: string;
  readonly kind: SqlFragmentKind;
  readonly what: string;
}

function collect(doc: ParsedDocument): Fragment[] {
  const out: Fragment[] = [];
  const add = (path: DataPath, v: unknown, kind: SqlFragmentKind, what: string) => {
    if (typeof v === 'string' && v.trim() !== '') out.push({ path, text: v, kind, what });
  };
  const data = isRecord(doc.data) ? doc.data : {};
  const tables = isRecord(data.tables) ? data.tables : {};
  for (const [tn, rt] of Object.entries(tables)) {
    if (!isRecord(rt)) continue;
    const tp = ['tables', tn];
    for (const [cn, rc] of Object.entries(isRecord(rt.columns) ? rt.columns : {})) {
      if (!isRecord(rc)) continue;
      const cp = [...tp, 'columns', cn];
      const col = `column ${tn}.${cn}`;
      add([...cp, 'type'], rc.type, 'type', `type of ${col}`);
      add([...cp, 'default'], rc.default, 'default', `default of ${col}`);
      add([...cp, 'generated'], rc.generated, 'expression', `generated expression of ${col}`);
      add([...cp, 'backfill'], rc.backfill, 'expression', `backfill of ${col}`);
      add([...cp, 'check'], rc.check, 'condition', `check of ${col}`);
    }
    for (const [kn, rk] of Object.entries(isRecord(rt.checks) ? rt.checks : {})) {
      const p = [...tp, 'checks', kn];
      if (typeof rk === 'string') add(p, rk, 'condition', `check ${kn}`);
      else if (isRecord(rk)) add([...p, 'expression'], rk.expression, 'condition', `check ${kn}`);
    }
    for (const [xn, rx] of Object.entries(isRecord(rt.indexes) ? rt.indexes : {})) {
      if (!isRecord(rx)) continue;
      const p = [...tp, 'indexes', xn];
      add([...p, 'where'], rx.where, 'condition', `where of index ${xn}`);
      const keys = Array.isArray(rx.columns) ? rx.columns : [];
      keys.forEach((k, i) => {
        if (typeof k === 'string' && identifierName(k) === null)
          add([...p, 'columns', i], k, 'expression', `index ${xn} key ${i + 1}`);
        else if (isRecord(k))
          add([...p, 'columns', i, 'expr'], k.expr, 'expression', `index ${xn} key ${i + 1}`);
      });
    }
  }
  return out;
}

export async function checkSqlFragments(doc: ParsedDocument, sink: DiagnosticSink): Promise<void> {
  for (const f of collect(doc)) {
    const problem = await checkSqlFragment(f.text, f.kind);
    if (problem === null) continue;
    const info = doc.scalar(f.path);
    const base = doc.at(f.path, 'value');
    const pos = info ? positionInScalar(info, f.text, problem.offset) : { line: base.line, col: base.col };
    const hint = hintFor(f, problem.message);
    sink.push({
      file: base.file,
      line: pos.line,
      col: pos.col,
      path: dottedPath(f.path),
      code: f.kind === 'type' ? 'invalid-type' : 'sql-syntax',
      severity: 'error',
      message: `${f.what}: ${problem.message}`,
      hint,
    });
  }
}

const ORDER_SUFFIX = /^\s*(\S+)\s+(asc|desc)\b(?:\s+nulls\s+(first|last))?\s*$/i;

function hintFor(f: Fragment, message: string): string {
  if (f.kind === 'default' && message.startsWith('a default cannot refer')) {
    return `a string literal needs its quotes inside the YAML string: "'${f.text.trim().replaceAll("'", "''")}'"`;
  }
  if (f.kind === 'type') {
    return 'write a PostgreSQL type as in CREATE TABLE: text, varchar(255), numeric(12,2), timestamptz, an enum name';
  }
  const order = f.what.startsWith('index') ? ORDER_SUFFIX.exec(f.text) : null;
  if (order) {
    const nulls = order[3] ? `, nulls: ${order[3].toLowerCase()}` : '';
    return `write the order as a key option: { column: ${order[1]}, order: ${order[2]!.toLowerCase()}${nulls} }`;
  }
  if (/end of input/.test(message)) return 'check for an unclosed parenthesis or quote';
  if (f.kind === 'condition') return 'write the boolean expression alone, as inside CHECK (...) or WHERE';
  return 'write the expression alone, as after DEFAULT; a string literal needs its quotes: "\'active\'"';
}

/**
 * Where the value's character `offset` is in the file: the value is aligned with the scalar's source text,
 * skipping what YAML adds (quotes, escapes, block headers, indentation, folded line breaks).
 */
export function positionInScalar(
  info: ScalarInfo,
  value: string,
  offset: number,
): { line: number; col: number } {
  const src = info.text;
  let j = info.offset;
  if (info.type === 'BLOCK_LITERAL' || info.type === 'BLOCK_FOLDED') {
    const nl = src.indexOf('\n', j);
    if (nl >= 0) j = nl + 1;
  }
  const end = Math.max(info.valueEnd, j);
  let mapped = j;
  for (let i = 0; i <= offset && i < value.length; i++) {
    const ch = value[i]!;
    let k = j;
    while (k < end && src[k] !== ch && !(/\s/.test(ch) && /\s/.test(src[k] ?? ''))) k++;
    if (k >= end) break;
    mapped = k;
    j = k + 1;
  }
  if (offset >= value.length) mapped = Math.min(j, end);
  const p = info.lineCounter.linePos(mapped);
  return { line: p.line, col: p.col };
}
