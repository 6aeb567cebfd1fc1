import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import { InputError } from '../errors.js';
import { compareQualified, compareStrings, qualifiedKey } from '../model/keys.js';
import { breathe } from '../util/breathe.js';
import { cacheKey, LoadCache } from './cache.js';
import { checkLength, checkRenames, checkSharedNamespaces, firstDefinitions } from './check-names.js';
import { checkForeignKeys, checkSequenceOwners, fillDefaultReferences } from './check-references.js';
import { checkSqlFragments } from './check-sql.js';
import { checkTable } from './check-tables.js';
import { checkColumnTypes, checkManagedSchemas } from './check-types.js';
import { DiagnosticSink, ProbeSink, sortDiagnostics } from './diagnostic.js';
import { checkEnum, qualifyEnumTypes } from './enums.js';
import { normaliseTable } from './normalise-table.js';
import {
  normaliseEnum,
  normaliseExtension,
  normaliseRequired,
  normaliseSequence,
} from './normalise-types.js';
import { isRecord, probing, str } from './origin.js';
import { checkShape } from './shape.js';
import { type ParsedDocument, parseYamlFile } from './source.js';
import type {
  DesiredEnum,
  DesiredExtension,
  DesiredRequired,
  DesiredSequence,
  DesiredState,
  DesiredTable,
  FileHead,
  FileLoad,
  LoadResult,
} from './types.js';

export type { DesiredState, Diagnostic, LoadResult } from './types.js';

export interface LoadOptions {
  /** `schema.name` globs of tables other tools own: foreign keys may point at them. */
  readonly ignore?: readonly string[];
  /** Managed schemas from the configuration; objects elsewhere are errors. Null or absent: any schema. */
  readonly schemas?: readonly string[] | null;
  /** Base for the file names in diagnostics (default: the working directory). */
  readonly cwd?: string;
  /**
   * Directory for the per-file load cache (`.tidemark/cache` in a project). Absent: every file is parsed and
   * checked afresh.
   */
  readonly cacheDir?: string | null;
  /**
   * Told, before any file is parsed, which files have no valid cache entry (shown names) and how many do:
   * a caller can start work that a changed schema will need while the files load.
   */
  readonly onFreshFiles?: (fresh: readonly string[], cached: number) => void;
  /**
   * Told, when some files have no valid cache entry and the others do, as soon as those files are loaded and
   * before the others are decoded: the desired state as far as it is known then (EarlyLoad). Work started
   * from it may only be used once `earlyHolds` confirms it against the final state.
   */
  readonly onChangedLoaded?: (early: EarlyLoad) => void;
}

/** The desired state while the load is still going (LoadOptions.onChangedLoaded). */
export interface EarlyLoad {
  /**
   * The tables of the changed files (with references and enum types filled in as far as they alone allow),
   * and the schemas, types, sequences, extensions and required objects of every file. Not checked across
   * files; `hash` is empty.
   */
  readonly state: DesiredState;
  /** Shown names of the files loaded afresh, in file order (the final LoadResult.cache.missed). */
  readonly changedFiles: readonly string[];
  /** What those files defined before they changed (LoadResult.superseded). */
  readonly superseded: readonly DesiredTable[];
}

/** Every *.yaml / *.yml under `dir`, as POSIX paths relative to it, sorted by code unit. */
export function listSchemaFiles(dir: string): string[] {
  const out: string[] = [];
  // Paths are built from the walk itself: path.relative per file is measurable at thousands of files.
  const walk = (d: string, prefix: string) => {
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      if (entry.name.startsWith('.')) continue;
      if (entry.isDirectory()) walk(join(d, entry.name), `${prefix}${entry.name}/`);
      else if (/\.ya?ml$/.test(entry.name)) out.push(`${prefix}${entry.name}`);
    }
  };
  walk(dir, '');
  return out.sort(compareStrings);
}

/**
 * Reads the desired state from a schema directory: YAML syntax, the JSON Schema of the format, names and
 * references across files, and SQL fragments, all reported in one pass. Never throws for a mistake in the
 * files (only when the directory itself is missing).
 */
export async function loadDesiredState(schemaDir: string, options: LoadOptions = {}): Promise<LoadResult> {
  const cwd = options.cwd ?? process.cwd();
  const dir = resolve(cwd, schemaDir);
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw new InputError(
      `schema directory ${relative(cwd, dir) || '.'} does not exist; create it or pass --schema-dir`,
    );
  }
  // The cache is read off this thread while the schema files are listed and read.
  const opening = options.cacheDir ? LoadCache.open(options.cacheDir, dir) : null;
  opening?.catch(() => {});
  await breathe.now();
  const files = listSchemaFiles(dir);
  const sink = new DiagnosticSink();
  const hash = createHash('sha256');
  const tables: DesiredTable[] = [];
  const enums: DesiredEnum[] = [];
  const sequences: DesiredSequence[] = [];
  const extensions: DesiredExtension[] = [];
  const requires: DesiredRequired[] = [];
  const namespaces = new Set<string>();
  const tableNamespaces = new Map<DesiredTable, string>();
  // Shown names are relative to the working directory: the directory's own path, then the file's; unless
  // the working directory is inside the schema directory, where a file's path may not pass through `..`.
  const base = relative(cwd, dir).split(sep).join('/');
  const within = base !== '' && base.split('/').every((s) => s === '..');
  const shownName = (rel: string) =>
    within ? relative(cwd, join(dir, rel)).split(sep).join('/') : base === '' ? rel : `${base}/${rel}`;
  const read = files.map((rel) => {
    const bytes = readFileSync(join(dir, rel));
    hash.update(rel).update('\0').update(bytes).update('\0');
    const shown = shownName(rel);
    // Decoded only where parsed: most files come from the cache, keyed by their bytes.
    return { shown, bytes, key: opening ? cacheKey(shown, bytes) : '' };
  });
  const cache = await opening;
  await breathe.now();
  const checksKey = cache?.checksKey(read, {
    ignore: options.ignore ?? [],
    schemas: options.schemas ?? null,
  });
  // Files without a valid cache entry (every file without a cache).
  const isFresh = read.map((f) => !cache?.has(f.shown, f.key));
  const freshCount = isFresh.filter(Boolean).length;
  const knownChecks = cache && checksKey && freshCount === 0 ? cache.cleanChecks(checksKey) : null;
  if (cache && options.onFreshFiles) {
    const fresh = read.filter((_, i) => isFresh[i]).map((f) => f.shown);
    options.onFreshFiles(fresh, read.length - fresh.length);
  }
  const fromCache: { shown: string; parse: () => ParsedDocument[]; load: FileLoad }[] = [];
  // The files without a cache entry first: once they are loaded, a caller can start on what they changed
  // (onChangedLoaded) while the others are decoded. Everything below takes the loads in file order.
  const loads: (FileLoad | null)[] = read.map(() => null);
  const order = read.map((_, i) => i).sort((a, b) => Number(isFresh[b]) - Number(isFresh[a]) || a - b);
  for (const [n, i] of order.entries()) {
    await breathe();
    const { shown, bytes, key } = read[i]!;
    const text = () => bytes.toString('utf8');
    // A cached file's YAML is parsed again only if a diagnostic needs a position in it.
    const parse = () => parseYamlFile(shown, text()).documents;
    let load = cache?.get(shown, key, parse, false) ?? null;
    if (load !== null) fromCache.push({ shown, parse, load });
    else {
      const fresh = await loadFile(shown, text());
      load = fresh.load;
      cache?.put(shown, key, load, fresh.documents);
    }
    loads[i] = load;
    if (n === freshCount - 1 && cache && options.onChangedLoaded && freshCount < read.length) {
      const early = earlyLoad(read, loads, isFresh, cache, files);
      if (early) options.onChangedLoaded(early);
    }
  }
  for (const load of loads) {
    if (load === null) throw new Error('internal: a schema file was not loaded');
    for (const d of load.diagnostics) sink.push(d);
    for (const n of load.namespaces) namespaces.add(n);
    tables.push(...load.tables);
    load.tables.forEach((t, i) => {
      tableNamespaces.set(t, load.tableNamespaces[i] ?? 'public');
    });
    enums.push(...load.enums);
    sequences.push(...load.sequences);
    extensions.push(...load.extensions);
    requires.push(...load.requires);
  }

  await breathe.now();
  // Checks across files, unless the very same files passed them before (then without an error, so no
  // duplicate definitions either: firstDefinitions only picks).
  const perFile = sink.list.length;
  const loaded = { tables, enums, sequences, extensions, requires };
  const namespaceOf = (t: DesiredTable) => tableNamespaces.get(t) ?? 'public';
  let state: Loaded;
  if (knownChecks) state = crossFileChecks(loaded, options, namespaceOf, sink, true);
  else {
    // Origins only place what the checks report: the files from the cache get theirs (their stored form
    // parsed, then set on every object) only when the checks, run first without them, report anything.
    const unfilled = tables.flatMap((t) =>
      t.foreignKeys.map((f) => f.references).filter((r) => r.columns.length === 0),
    );
    const probe = new ProbeSink();
    const probed =
      fromCache.length === 0
        ? null
        : probing(() => crossFileChecks(loaded, options, namespaceOf, probe, false));
    if (probed && probe.found === 0) state = probed;
    else {
      // The checks fill in omitted referenced columns: undo that, so they run as on a fresh load.
      for (const r of unfilled) (r as { columns: readonly string[] }).columns = [];
      try {
        for (const f of fromCache) cache!.restoreOrigins(f.shown, f.load, f.parse);
      } catch {
        // A damaged entry whose load read fine: load everything afresh rather than place nothing.
        return loadDesiredState(schemaDir, { ...options, cacheDir: null });
      }
      state = crossFileChecks(loaded, options, namespaceOf, sink, false);
    }
  }
  if (knownChecks) for (const d of knownChecks) sink.push(d);
  else if (cache && checksKey) cache.setChecks(checksKey, sink.list.slice(perFile));
  cache?.save();

  const diagnostics = sortDiagnostics(sink.list);
  const cached = cache
    ? {
        cache: { hits: cache.hits, misses: cache.misses, missed: cache.missed },
        superseded: cache.supersededTables(),
      }
    : {};
  if (diagnostics.some((d) => d.severity === 'error')) return { state: null, diagnostics, ...cached };

  const desired = assembleState(
    state,
    namespaces,
    (t) => tableNamespaces.get(t) ?? 'public',
    files,
    hash.digest('hex'),
  );
  return { state: desired, diagnostics, ...cached };
}

/** The desired state from the first definition of each object: sorted, schemas gathered, enum types qualified. */
function assembleState(
  state: Loaded,
  namespaces: Iterable<string>,
  namespaceOf: (t: DesiredTable) => string,
  files: readonly string[],
  hash: string,
): DesiredState {
  const schemas = new Set<string>(namespaces);
  for (const list of [state.tables, state.enums, state.sequences, state.extensions]) {
    for (const o of list) schemas.add(o.schema);
  }
  return {
    schemas: [...schemas].sort(compareStrings),
    extensions: [...state.extensions].sort((a, b) => compareStrings(a.name, b.name)),
    requires: state.requires,
    enums: [...state.enums].sort(compareQualified),
    sequences: [...state.sequences].sort(compareQualified),
    tables: qualifyEnumTypes(state.tables, state.enums, namespaceOf).sort(compareQualified),
    files,
    hash,
  };
}

/**
 * The desired state as far as it is known once the files without a cache entry are loaded: the tables of
 * those files (copies, so nothing done with them touches the load's own), and everything else of every file,
 * from the cache entries' heads. Null when a head is missing (a damaged entry: that file will be loaded
 * afresh) or a changed file has an error (there will be no state).
 */
function earlyLoad(
  read: readonly { shown: string; key: string }[],
  loads: readonly (FileLoad | null)[],
  isFresh: readonly boolean[],
  cache: LoadCache,
  files: readonly string[],
): EarlyLoad | null {
  const heads: FileHead[] = [];
  const tables: DesiredTable[] = [];
  const namespaceOfTable = new Map<DesiredTable, string>();
  const changedFiles: string[] = [];
  for (const [i, f] of read.entries()) {
    if (isFresh[i]) {
      const load = loads[i];
      if (!load || load.diagnostics.some((d) => d.severity === 'error')) return null;
      heads.push(load);
      changedFiles.push(f.shown);
      const copies = JSON.parse(JSON.stringify(load.tables)) as DesiredTable[];
      copies.forEach((t, j) => {
        tables.push(t);
        namespaceOfTable.set(t, load.tableNamespaces[j] ?? 'public');
      });
    } else {
      const head = cache.head(f.shown, f.key);
      if (!head) return null;
      heads.push(head);
    }
  }
  // What the checks across files fill in, as far as these tables allow; earlyHolds compares the result
  // with the final state's.
  fillDefaultReferences(tables);
  const state = assembleState(
    {
      tables,
      enums: heads.flatMap((h) => h.enums),
      sequences: heads.flatMap((h) => h.sequences),
      extensions: heads.flatMap((h) => h.extensions),
      requires: heads.flatMap((h) => h.requires),
    },
    heads.flatMap((h) => h.namespaces),
    (t) => namespaceOfTable.get(t) ?? 'public',
    files,
    '',
  );
  return { state, changedFiles, superseded: cache.supersededTables() };
}

/**
 * Whether what was built from an early load holds for the final one: the same files changed, and the final
 * state has the same schemas, types, sequences, extensions and required objects, and the same tables in the
 * changed files, field for field.
 */
export function earlyHolds(early: EarlyLoad, state: DesiredState, changedFiles: readonly string[]): boolean {
  if (early.changedFiles.length !== changedFiles.length) return false;
  if (early.changedFiles.some((f, i) => f !== changedFiles[i])) return false;
  const rest = (s: DesiredState) =>
    JSON.stringify([s.schemas, s.extensions, s.enums, s.sequences, s.requires]);
  if (rest(early.state) !== rest(state)) return false;
  const changed = new Set(changedFiles);
  const tables = state.tables.filter((t) => changed.has(t.source.file));
  return JSON.stringify(tables) === JSON.stringify(early.state.tables);
}

interface Loaded {
  readonly tables: DesiredTable[];
  readonly enums: DesiredEnum[];
  readonly sequences: DesiredSequence[];
  readonly extensions: DesiredExtension[];
  readonly requires: DesiredRequired[];
}

/**
 * Names, references and renames across all files; returns the first definition of each object. With
 * `pickOnly` (the same files passed these checks before), only picks: nothing is reported, no origin read.
 */
function crossFileChecks(
  loaded: Loaded,
  options: LoadOptions,
  namespaceOf: (t: DesiredTable) => string,
  sink: DiagnosticSink,
  pickOnly: boolean,
): Loaded {
  const { tables, enums, sequences, extensions, requires } = loaded;
  const q = (v: { schema: string; name: string }) => qualifiedKey(v);
  const shownName = (v: { schema: string; name: string }) => `${v.schema}.${v.name}`;
  const state = {
    tables: firstDefinitions(
      tables,
      q,
      (t) => `table ${shownName(t)}`,
      (t) => t.source,
      sink,
    ),
    enums: firstDefinitions(
      enums,
      q,
      (e) => `enum ${shownName(e)}`,
      (e) => e.source,
      sink,
    ),
    sequences: firstDefinitions(
      sequences,
      q,
      (s) => `sequence ${shownName(s)}`,
      (s) => s.source,
      sink,
    ),
    extensions: firstDefinitions(
      extensions,
      (e) => e.name,
      (e) => `extension ${e.name}`,
      (e) => e.source,
      sink,
    ),
    requires: firstDefinitions(
      requires,
      (r) => `${r.kind} ${r.name}`,
      (r) => `required ${r.kind} ${r.name}`,
      (r) => r.source,
      sink,
    ),
  };
  if (pickOnly) {
    fillDefaultReferences(state.tables);
    return state;
  }
  checkSharedNamespaces(state, sink);
  checkForeignKeys(state.tables, options.ignore ?? [], sink);
  checkSequenceOwners(state.sequences, state.tables, sink);
  for (const e of state.enums) checkEnum(e, sink);
  checkColumnTypes(state.tables, state.enums, namespaceOf, sink);
  if (options.schemas)
    checkManagedSchemas([...state.tables, ...state.enums, ...state.sequences], options.schemas, sink);
  for (const s of state.sequences) checkLength(s, s.name, 'sequence', sink);
  const inSchema = <T extends { schema: string }>(list: readonly T[]) =>
    [...new Set(list.map((x) => x.schema))].map((s) => list.filter((x) => x.schema === s));
  for (const group of inSchema(state.tables)) checkRenames('table', group, '', sink);
  for (const group of inSchema(state.enums)) checkRenames('enum', group, '', sink);
  for (const group of inSchema(state.sequences)) checkRenames('sequence', group, '', sink);

  return state;
}

/**
 * One file's own work: YAML, the JSON Schema, SQL fragments, normalisation, and the checks of each table by
 * itself. Depends on nothing else, so its result is cached by the file's content.
 */
async function loadFile(
  shown: string,
  text: string,
): Promise<{ load: FileLoad; documents: ParsedDocument[] }> {
  const sink = new DiagnosticSink();
  const parsed = parseYamlFile(shown, text);
  for (const d of parsed.diagnostics) sink.push(d);
  const namespaces: string[] = [];
  const tables: DesiredTable[] = [];
  const tableNamespaces: string[] = [];
  const enums: DesiredEnum[] = [];
  const sequences: DesiredSequence[] = [];
  const extensions: DesiredExtension[] = [];
  const requires: DesiredRequired[] = [];
  for (const doc of parsed.documents) {
    if (doc.data === null || doc.data === undefined) continue;
    checkShape(doc, sink);
    await checkSqlFragments(doc, sink);
    const data = isRecord(doc.data) ? doc.data : {};
    const namespace = str(data.schema) ?? 'public';
    namespaces.push(namespace);
    const map = (v: unknown) => Object.entries(isRecord(v) ? v : {});
    for (const [k, v] of map(data.tables)) {
      const table = normaliseTable(doc, namespace, k, v, sink);
      // Checks of the table by itself (columns, keys and indexes naming its columns) are per file: cached.
      checkTable(table, sink);
      tables.push(table);
      tableNamespaces.push(namespace);
    }
    for (const [k, v] of map(data.enums)) enums.push(normaliseEnum(doc, namespace, k, v));
    for (const [k, v] of map(data.sequences)) sequences.push(normaliseSequence(doc, namespace, k, v, sink));
    const exts = Array.isArray(data.extensions) ? data.extensions : [];
    exts.forEach((v, i) => {
      extensions.push(normaliseExtension(doc, namespace, i, v));
    });
    const reqs = Array.isArray(data.requires) ? data.requires : [];
    reqs.forEach((v, i) => {
      requires.push(normaliseRequired(doc, i, v, sink));
    });
  }
  const load = {
    namespaces,
    diagnostics: sink.list,
    tables,
    tableNamespaces,
    enums,
    sequences,
    extensions,
    requires,
  };
  return { load, documents: parsed.documents };
}
