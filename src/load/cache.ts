import { createHash } from 'node:crypto';
import {
  appendFileSync,
  closeSync,
  fstatSync,
  mkdirSync,
  openSync,
  read,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeSync,
} from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { compareStrings } from '../model/keys.js';
import { type Origin, originIfAny, setOrigin } from './origin.js';
import type { DataPath, ParsedDocument } from './source.js';
import type { DesiredTable, Diagnostic, FileHead, FileLoad } from './types.js';

/**
 * A per-file cache of the loader's work. Parsing a YAML file with source positions, checking it against the
 * JSON Schema and its SQL fragments, and normalising it costs a few milliseconds per file — most of a plan or
 * drift check on a schema of thousands of tables whose files did not change. The result of that per-file work
 * depends only on the file's bytes, the name it is shown under and the loader's own code, so it is stored
 * under that key and reused. Checks across files (references, duplicates, renames) run again unless the very
 * same set of files passed them before.
 *
 * The objects' origins (document and path, for diagnostics found across files) are stored as data; their
 * document is parsed again only if such a diagnostic actually has to be placed.
 */

const FORMAT = 3;

interface StoredOrigin {
  /** Index of the document in the file. */
  readonly d: number;
  readonly p: DataPath;
  readonly n: string;
  readonly c?: StoredPaths;
  readonly r?: StoredPaths;
  readonly i?: StoredPaths;
  /** The renamedFrom path; 1 for the usual `[...p, 'renamedFrom']`. */
  readonly f?: DataPath | 1;
}

/** JSON paths (into a file's load) of every object with an origin, with that origin. */
type StoredOrigins = readonly (readonly [readonly (string | number)[], StoredOrigin])[];

/**
 * All entries of one schema directory live in one file, a line per schema file
 * (`key<TAB>"shown"<TAB>head<TAB>tables<TAB>origins`: the file's load without its tables, its tables, and
 * the origins), read once: thousands of small files cost more in open/rename than
 * the parsing they save. One more line keeps the outcome of the checks across files for the exact set of files
 * it was computed on (`checks<TAB>key<TAB>diagnostics`): when every file is as it was, those checks are not
 * run again and the origins, which only they use, are not even read. The head is apart from the tables so
 * that the types, sequences and extensions of every file can be had for a small fraction of the decoding
 * (`head`), before the tables are.
 *
 * The file is a log: a later line for the same schema file (or a later checks line) replaces an earlier one.
 * A run that loaded a few changed files appends their lines, one write, instead of rewriting tens of
 * megabytes; the file is rewritten with only the current lines (compacted) when replaced lines outnumber the
 * live ones, or when its last line is incomplete (a run killed while appending).
 */
export class LoadCache {
  private readonly file: string;
  private readonly header: string;
  /** The file as read; lines are decoded from it only as far as they are used. */
  private readonly bytes: Buffer = Buffer.alloc(0);
  private readonly lines = new Map<string, Line>();
  /** This load's line of every file: the stored bytes when still valid, else new text. */
  private readonly next = new Map<string, Buffer | string>();
  private checks: { key: string; text: string } | null = null;
  private nextChecks: string | null = null;
  private dirty = false;
  /** Lines after the header, replaced ones included; null when the file must be rewritten, not appended to. */
  private written: number | null = null;
  hits = 0;
  misses = 0;
  /** Shown names of the files loaded afresh: changed since the last load, or new. */
  readonly missed: string[] = [];
  /** The lines of files that changed since they were written. */
  private readonly superseded: Line[] = [];
  private supersededDecoded: { lines: number; tables: DesiredTable[] } | null = null;

  /** Read the cache of a schema directory off the main thread (the file is tens of megabytes for thousands of files). */
  static async open(cacheDir: string, schemaDir: string): Promise<LoadCache> {
    const file = cacheFile(cacheDir, schemaDir);
    return new LoadCache(file, await readWhole(file));
  }

  private constructor(file: string, bytes: Buffer | null) {
    this.file = file;
    this.header = `tidemark load cache ${FORMAT} ${codeIdentity()}`;
    if (bytes === null) return;
    const headerEnd = bytes.indexOf(NL);
    if (headerEnd < 0 || bytes.toString('utf8', 0, headerEnd) !== this.header) return;
    this.bytes = bytes;
    // A complete file ends with a newline; anything after the last one is a torn line, left out.
    const end = bytes.lastIndexOf(NL) + 1;
    this.written = end === bytes.length ? 0 : null;
    for (let start = headerEnd + 1; start < end; ) {
      const stop = bytes.indexOf(NL, start);
      if (this.written !== null) this.written++;
      const a = bytes.indexOf(TAB, start);
      const b = a < 0 || a > stop ? -1 : bytes.indexOf(TAB, a + 1);
      if (b >= 0 && b < stop) {
        if (a - start === 6 && bytes.toString('latin1', start, a) === 'checks') {
          this.checks = {
            key: bytes.toString('latin1', a + 1, b),
            text: bytes.toString('utf8', b + 1, stop),
          };
        } else {
          try {
            const shown = JSON.parse(bytes.toString('utf8', a + 1, b)) as string;
            this.lines.set(shown, { key: bytes.toString('latin1', start, a), start, fields: b + 1, stop });
          } catch {
            // A damaged line is an absent entry: that file is parsed again and its line rewritten.
          }
        }
      }
      start = stop + 1;
    }
  }

  /** Whether the file has an entry for this key (which `get` may still find damaged). */
  has(shown: string, key: string): boolean {
    return this.lines.get(shown)?.key === key;
  }

  /** Key of the checks across files: every file's key, and the options they depend on. */
  checksKey(files: readonly { shown: string; key: string }[], options: unknown): string {
    const hash = createHash('sha256').update(JSON.stringify(options));
    for (const f of files) hash.update(`\0${f.shown}\0${f.key}`);
    return hash.digest('hex');
  }

  /** The diagnostics of the checks across files for exactly these files, when they found no error. */
  cleanChecks(key: string): Diagnostic[] | null {
    if (this.checks?.key !== key) return null;
    try {
      const list = JSON.parse(this.checks.text) as Diagnostic[];
      return list.some((d) => d.severity === 'error') ? null : list;
    } catch {
      return null;
    }
  }

  setChecks(key: string, diagnostics: readonly Diagnostic[]): void {
    const text = JSON.stringify(diagnostics);
    if (this.checks?.key === key && this.checks.text === text) return;
    this.nextChecks = `checks\t${key}\t${text}`;
    this.dirty = true;
  }

  /** The head, tables and origins fields of a line, as byte ranges. */
  private fields(line: Line): {
    head: [number, number];
    tables: [number, number];
    origins: [number, number];
  } {
    const c = this.bytes.indexOf(TAB, line.fields);
    const d = c < 0 ? -1 : this.bytes.indexOf(TAB, c + 1);
    if (d < 0 || d > line.stop) throw new Error('damaged cache line');
    return { head: [line.fields, c], tables: [c + 1, d], origins: [d + 1, line.stop] };
  }

  private decode([from, to]: [number, number]): unknown {
    return JSON.parse(this.bytes.toString('utf8', from, to));
  }

  /**
   * The cached load of a file, or null (absent, stale or damaged: loaded afresh). With `origins`, every
   * object gets its origin back, its document parsed again only if a diagnostic needs a position in it.
   */
  get(shown: string, key: string, parse: () => readonly ParsedDocument[], origins = true): FileLoad | null {
    const line = this.lines.get(shown);
    let load: FileLoad | null = null;
    if (line && line.key === key) {
      try {
        const at = this.fields(line);
        load = { ...(this.decode(at.head) as FileHead), tables: this.decode(at.tables) as DesiredTable[] };
        if (origins) this.restoreOrigins(shown, load, parse);
      } catch {
        load = null;
      }
    }
    if (load === null) {
      this.misses++;
      this.missed.push(shown);
      if (line && line.key !== key) this.superseded.push(line);
      return null;
    }
    this.hits++;
    this.next.set(shown, this.bytes.subarray(line!.start, line!.stop));
    return load;
  }

  /**
   * A cached file's load without its tables (namespaces, types, sequences, extensions, required objects),
   * or null where `get` would not find the entry. Counts nothing: `get` still decides the file's fate.
   */
  head(shown: string, key: string): FileHead | null {
    const line = this.lines.get(shown);
    if (!line || line.key !== key) return null;
    try {
      return this.decode(this.fields(line).head) as FileHead;
    } catch {
      return null;
    }
  }

  /**
   * The tables the files that changed defined before they changed, as far as still recorded. Decoded once
   * for the lines superseded so far (the early state and the final load both ask).
   */
  supersededTables(): DesiredTable[] {
    if (this.supersededDecoded?.lines === this.superseded.length) return this.supersededDecoded.tables;
    const out: DesiredTable[] = [];
    for (const line of this.superseded) {
      try {
        out.push(...(this.decode(this.fields(line).tables) as DesiredTable[]));
      } catch {
        // Damaged: those tables count as new, which only means compiling more.
      }
    }
    this.supersededDecoded = { lines: this.superseded.length, tables: out };
    return out;
  }

  /** Give every object of a load `get` returned without origins its origin. */
  restoreOrigins(shown: string, load: FileLoad, parse: () => readonly ParsedDocument[]): void {
    const line = this.lines.get(shown);
    if (!line) throw new Error(`internal: no cached origins for ${shown}`);
    const stored = this.decode(this.fields(line).origins) as StoredOrigins;
    let parsed: readonly ParsedDocument[] | null = null;
    const docs = () => {
      parsed ??= parse();
      return parsed;
    };
    const lazy = new Map<number, ParsedDocument>();
    for (const [path, o] of stored) {
      const target = resolvePath(load, path);
      if (target === null) continue;
      let doc = lazy.get(o.d);
      if (!doc) {
        doc = lazyDocument(shown, o.d, docs);
        lazy.set(o.d, doc);
      }
      setOrigin(target, restoreOrigin(o, doc));
    }
  }

  /** Record a file's fresh load; the documents are those its origins point into, in file order. */
  put(shown: string, key: string, load: FileLoad, documents: readonly ParsedDocument[]): void {
    const origins: [(string | number)[], StoredOrigin][] = [];
    collectOrigins(load, [], documents, origins);
    const { tables, ...head } = load;
    this.next.set(
      shown,
      `${key}\t${JSON.stringify(shown)}\t${JSON.stringify(head)}\t${JSON.stringify(tables)}\t${JSON.stringify(origins)}`,
    );
    this.dirty = true;
  }

  /**
   * Record the entries of this load when anything changed: appended to the file when it can take them, else
   * the file rewritten with the entries of this load only (files that are gone drop out). The cache only
   * saves time, so a directory that cannot be written (read-only checkout, full disk) is not an error: the
   * next run parses again, which is correct.
   */
  save(): void {
    if (!this.dirty && this.next.size === this.lines.size) return;
    try {
      mkdirSync(dirname(this.file), { recursive: true });
      // Lines still valid are the bytes read; new ones are text.
      const appended = [
        ...[...this.next.values()].filter((line) => typeof line === 'string'),
        ...(this.nextChecks ? [this.nextChecks] : []),
      ];
      const live = this.next.size + 1;
      if (this.written !== null && this.written + appended.length <= 2 * live) {
        if (appended.length > 0) appendFileSync(this.file, `${appended.join('\n')}\n`);
      } else {
        const tmp = `${this.file}.${process.pid}.tmp`;
        const checks =
          this.nextChecks ?? (this.checks ? `checks\t${this.checks.key}\t${this.checks.text}` : null);
        const rows = [this.header, ...this.next.values(), ...(checks ? [checks] : [])];
        const fd = openSync(tmp, 'w');
        try {
          for (const row of rows) {
            if (typeof row === 'string') writeSync(fd, `${row}\n`);
            else {
              writeSync(fd, row);
              writeSync(fd, '\n');
            }
          }
        } finally {
          closeSync(fd);
        }
        renameSync(tmp, this.file);
      }
      pruneStale(dirname(this.file));
    } catch {
      // See above: not writing the cache leaves every result correct.
    }
  }
}

/** Key of one file's per-file load: its bytes and its shown name (the file's header names the loader's code). */
export function cacheKey(shown: string, bytes: Uint8Array): string {
  return createHash('sha256').update(`${shown}\0`).update(bytes).digest('hex');
}

interface Line {
  readonly key: string;
  /** Byte offsets in the file: the line, its load and origins fields, the newline that ends it. */
  readonly start: number;
  readonly fields: number;
  readonly stop: number;
}

const NL = 0x0a;
const TAB = 0x09;

function cacheFile(cacheDir: string, schemaDir: string): string {
  const id = createHash('sha256').update(schemaDir).digest('hex').slice(0, 16);
  return join(cacheDir, `load-${id}.cache`);
}

/** A schema directory not loaded for this long is probably gone (a moved checkout, a test's temp dir). */
const STALE_MS = 30 * 24 * 3600 * 1000;

function pruneStale(dir: string): void {
  const now = Date.now();
  for (const name of readdirSync(dir)) {
    if (!/^(load-.*\.cache|schemas-.*\.json|.*\.tmp)$/.test(name)) continue;
    const file = join(dir, name);
    try {
      if (now - statSync(file).mtimeMs > STALE_MS) rmSync(file, { force: true });
    } catch {
      // Removed by another run meanwhile.
    }
  }
}

function resolvePath(root: unknown, path: readonly (string | number)[]): object | null {
  let node: unknown = root;
  for (const seg of path) {
    if (node === null || typeof node !== 'object') return null;
    node = (node as Record<string | number, unknown>)[seg];
  }
  return node !== null && typeof node === 'object' ? node : null;
}

function collectOrigins(
  node: unknown,
  path: (string | number)[],
  documents: readonly ParsedDocument[],
  out: [(string | number)[], StoredOrigin][],
): void {
  if (node === null || typeof node !== 'object') return;
  const origin = originIfAny(node);
  if (origin) out.push([[...path], storeOrigin(origin, node, documents)]);
  if (Array.isArray(node)) {
    node.forEach((v, i) => {
      collectOrigins(v, [...path, i], documents, out);
    });
    return;
  }
  for (const [k, v] of Object.entries(node)) collectOrigins(v, [...path, k], documents, out);
}

/** Longest list on the object or one level down: the bound of the indexes its path functions are asked for. */
function listBound(node: object): number {
  let n = 0;
  for (const v of Object.values(node)) {
    if (Array.isArray(v)) n = Math.max(n, v.length);
    else if (v !== null && typeof v === 'object')
      for (const w of Object.values(v)) if (Array.isArray(w)) n = Math.max(n, w.length);
  }
  return n;
}

/**
 * A path function stored compactly: almost always `i => [...path, ...suffix, i]` (a list under the object's
 * key), stored as the suffix; otherwise the paths it gives for every index the object's lists can reach.
 */
type StoredPaths = { readonly s: readonly (string | number)[] } | { readonly l: readonly DataPath[] };

const isPrefix = (prefix: DataPath, path: DataPath) => prefix.every((seg, i) => path[i] === seg);

function storePaths(f: ((i: number) => DataPath) | undefined, base: DataPath, bound: number) {
  if (!f) return undefined;
  const list = Array.from({ length: bound }, (_, i) => f(i));
  const first = list[0]!;
  const suffix = first.slice(base.length, -1);
  const patterned = list.every(
    (p, i) =>
      p.length === first.length &&
      isPrefix(base, p) &&
      isPrefix(suffix, p.slice(base.length)) &&
      p.at(-1) === i,
  );
  return patterned ? { s: suffix } : { l: list };
}

function restorePaths(stored: StoredPaths | undefined, base: DataPath) {
  if (!stored) return undefined;
  if ('s' in stored) return (i: number): DataPath => [...base, ...stored.s, i];
  const list = stored.l;
  return (i: number): DataPath => list[i] ?? list[0] ?? base;
}

function storeOrigin(o: Origin, node: object, documents: readonly ParsedDocument[]): StoredOrigin {
  const bound = Math.max(1, listBound(node));
  const d = documents.indexOf(o.doc);
  if (d < 0) throw new Error('internal: origin in a document the file did not produce');
  const renamed = o.renamedFromPath;
  const usual =
    renamed?.length === o.path.length + 1 && isPrefix(o.path, renamed) && renamed.at(-1) === 'renamedFrom';
  return {
    d,
    p: o.path,
    n: o.namespace,
    c: storePaths(o.columnPath, o.path, bound),
    r: storePaths(o.refColumnPath, o.path, bound),
    i: storePaths(o.includePath, o.path, bound),
    f: renamed === undefined ? undefined : usual ? 1 : renamed,
  };
}

function restoreOrigin(o: StoredOrigin, doc: ParsedDocument): Origin {
  const columnPath = restorePaths(o.c, o.p);
  const refColumnPath = restorePaths(o.r, o.p);
  const includePath = restorePaths(o.i, o.p);
  const renamedFromPath = o.f === 1 ? [...o.p, 'renamedFrom'] : o.f;
  return {
    doc,
    path: o.p,
    namespace: o.n,
    ...(columnPath ? { columnPath } : {}),
    ...(refColumnPath ? { refColumnPath } : {}),
    ...(includePath ? { includePath } : {}),
    ...(renamedFromPath ? { renamedFromPath } : {}),
  };
}

/** A document parsed only when a position inside it is asked for. */
function lazyDocument(file: string, index: number, docs: () => readonly ParsedDocument[]): ParsedDocument {
  const doc = () => {
    const d = docs()[index];
    if (!d) throw new Error(`internal: ${file} no longer has document ${index + 1}`);
    return d;
  };
  return {
    file,
    get data() {
      return doc().data;
    },
    at: (path, which) => doc().at(path, which),
    scalar: (path) => doc().scalar(path),
    keys: (path) => doc().keys(path),
  };
}

/**
 * The whole file in one read on the thread pool, started before this returns. `fs.promises.readFile` reads
 * in 512 KiB pieces, each started from this thread: while the load reads the schema files (synchronously)
 * the pieces wait, and the cache arrived some 0.2 s after the schema files at 5,000 tables, with the thread
 * idle meanwhile. Null when there is no file or it cannot be read.
 */
async function readWhole(file: string): Promise<Buffer | null> {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch {
    return null;
  }
  try {
    const buffer = Buffer.allocUnsafe(fstatSync(fd).size);
    let filled = 0;
    while (filled < buffer.length) {
      const n = await new Promise<number>((resolve, reject) => {
        read(fd, buffer, filled, buffer.length - filled, filled, (error, bytes) =>
          error ? reject(error) : resolve(bytes),
        );
      });
      if (n === 0) break;
      filled += n;
    }
    return buffer.subarray(0, filled);
  } catch {
    return null;
  } finally {
    closeSync(fd);
  }
}

let identity: string | null = null;

/**
 * A hash of the code that produces a file's load, so an upgraded or rebuilt tidemark never reads entries an
 * older loader wrote. The compiled package is hashed as a whole (a few hundred kilobytes); a bundle, by itself.
 */
function codeIdentity(): string {
  if (identity !== null) return identity;
  const here = fileURLToPath(import.meta.url);
  const hash = createHash('sha256');
  const files: string[] = [];
  if (basename(dirname(here)) === 'load') {
    const root = dirname(dirname(here));
    const walk = (d: string) => {
      for (const e of readdirSync(d, { withFileTypes: true })) {
        const full = join(d, e.name);
        if (e.isDirectory()) walk(full);
        else if (/\.(js|ts)$/.test(e.name) && !e.name.endsWith('.d.ts')) files.push(full);
      }
    };
    walk(root);
  } else {
    files.push(here);
  }
  const schema = fileURLToPath(new URL('../../tidemark.schema.json', import.meta.url));
  for (const f of [...files.sort(compareStrings), schema]) {
    try {
      if (statSync(f).isFile()) hash.update(f).update('\0').update(readFileSync(f)).update('\0');
    } catch {
      hash.update(`${f} missing\0`);
    }
  }
  identity = hash.digest('hex');
  return identity;
}
