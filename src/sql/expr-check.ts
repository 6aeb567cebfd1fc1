/**
 * Offline syntax checks of the SQL fragments users write in YAML (defaults, checks, index expressions, type
 * names), using PostgreSQL's own parser compiled to WebAssembly. A fragment is wrapped in a statement, parsed,
 * and the parse tree must show exactly one fragment of the expected kind, so `1; DROP TABLE x` or an
 * unbalanced `)` that would escape the surrounding DDL is rejected.
 */

/**
 * `expression`: a scalar (generated, index key, backfill); `default`: a scalar that may not refer to columns;
 * `condition`: a boolean (check, where); `type`: a type name.
 */
export type SqlFragmentKind = 'expression' | 'default' | 'condition' | 'type';

export interface SqlProblem {
  readonly message: string;
  /** 0-based offset into the fragment where the problem was found (the fragment's length for "end of input"). */
  readonly offset: number;
}

interface ParseResult {
  readonly parse_tree: { readonly stmts?: readonly { readonly stmt: Record<string, unknown> }[] } | null;
  readonly error: { readonly message: string; readonly cursorpos: number } | null;
}

interface PgQueryModule {
  /** emscripten's allocate: allocator 0 is malloc (1, the stack, is never released). */
  allocate(bytes: Uint8Array, allocator: 0): number;
  _free(pointer: number): void;
  raw_parse(pointer: number): { parse_tree: string; error: { message: string; cursorpos: number } };
}

const encoder = new TextEncoder();

/**
 * The package's own `parse` copies the SQL onto the wasm stack and never pops it, so the stack overflows after
 * about a thousand calls; this copies it to the heap and frees it.
 */
function parseSql(pg: PgQueryModule, sql: string): ParseResult {
  const pointer = pg.allocate(encoder.encode(`${sql}\0`), 0);
  try {
    const raw = pg.raw_parse(pointer);
    if (raw.error.message !== '') return { parse_tree: null, error: raw.error };
    return { parse_tree: JSON.parse(raw.parse_tree) as ParseResult['parse_tree'], error: null };
  } finally {
    pg._free(pointer);
  }
}

/** Schemas repeat the same fragments (`text`, `now()`) thousands of times; each is parsed once. */
const cache = new Map<string, SqlProblem | null>();

let modulePromise: Promise<PgQueryModule> | null = null;

/** The wasm parser is initialised once, on first use, so commands that never check SQL never load it. */
function parser(): Promise<PgQueryModule> {
  if (modulePromise === null) {
    modulePromise = import('pg-query-emscripten/pg_query_wasm.js').then((m) =>
      (m as { default: () => Promise<PgQueryModule> }).default(),
    );
  }
  return modulePromise;
}

const PREFIX: Record<SqlFragmentKind, string> = {
  expression: 'SELECT ',
  default: 'SELECT ',
  condition: 'SELECT 1 WHERE ',
  type: 'SELECT NULL::',
};

const ALLOWED_SELECT_KEYS: Record<SqlFragmentKind, ReadonlySet<string>> = {
  expression: new Set(['targetList', 'limitOption', 'op']),
  default: new Set(['targetList', 'limitOption', 'op']),
  condition: new Set(['targetList', 'limitOption', 'op', 'whereClause']),
  type: new Set(['targetList', 'limitOption', 'op']),
};

const WHAT: Record<SqlFragmentKind, string> = {
  expression: 'a single SQL expression',
  default: 'a single SQL expression',
  condition: 'a single boolean SQL expression',
  type: 'a type name',
};

export async function checkSqlFragment(text: string, kind: SqlFragmentKind): Promise<SqlProblem | null> {
  const key = `${kind}\0${text}`;
  const cached = cache.get(key);
  if (cached !== undefined) return cached;
  const problem = check(await parser(), text, kind);
  cache.set(key, problem);
  return problem;
}

function check(pg: PgQueryModule, text: string, kind: SqlFragmentKind): SqlProblem | null {
  const prefix = PREFIX[kind];
  const result = parseSql(pg, prefix + text);
  if (result.error) {
    const offset = Math.min(Math.max(result.error.cursorpos - 1 - prefix.length, 0), text.length);
    return { message: result.error.message, offset };
  }
  const stmts = result.parse_tree?.stmts ?? [];
  const whole = { message: `expected ${WHAT[kind]}`, offset: 0 };
  if (stmts.length !== 1) return { ...whole, message: `${whole.message}, found ${stmts.length} statements` };
  const select = stmts[0]?.stmt.SelectStmt as Record<string, unknown> | undefined;
  if (!select) return whole;
  const extra = Object.keys(select).filter((k) => !ALLOWED_SELECT_KEYS[kind].has(k));
  if (extra.length > 0) return whole;
  const targets = select.targetList as readonly {
    ResTarget?: { name?: string; val?: Record<string, unknown> };
  }[];
  if (!Array.isArray(targets) || targets.length !== 1)
    return { ...whole, message: `${whole.message}, found a list` };
  const target = targets[0]?.ResTarget;
  // `now() foo` parses as an expression with an alias: a stray word the user did not mean.
  if (!target || target.name !== undefined) return whole;
  if (kind === 'type') {
    const cast = target.val?.TypeCast as { arg?: { A_Const?: { isnull?: boolean } } } | undefined;
    if (!cast?.arg?.A_Const?.isnull) return whole;
  }
  if (kind === 'default') {
    const ref = findColumnRef(target.val);
    if (ref) {
      return {
        message: `a default cannot refer to a column ("${ref.name}")`,
        offset: Math.max(ref.location - prefix.length, 0),
      };
    }
  }
  return null;
}

/** The first column reference in a parse tree: a bare word in a default is almost always a missing quote. */
function findColumnRef(node: unknown): { name: string; location: number } | null {
  if (Array.isArray(node)) {
    for (const n of node) {
      const found = findColumnRef(n);
      if (found) return found;
    }
    return null;
  }
  if (typeof node !== 'object' || node === null) return null;
  const obj = node as Record<string, unknown>;
  const ref = obj.ColumnRef as { fields?: { String?: { sval?: string } }[]; location?: number } | undefined;
  if (ref) {
    const name = (ref.fields ?? []).map((f) => f.String?.sval ?? '*').join('.');
    return { name, location: ref.location ?? 0 };
  }
  for (const v of Object.values(obj)) {
    const found = findColumnRef(v);
    if (found) return found;
  }
  return null;
}
