import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type EarlyLoad, earlyHolds, listSchemaFiles, loadDesiredState } from '../../src/load/index.js';
import type { LoadResult } from '../../src/load/types.js';
import { stableStringify } from '../../src/model/fingerprint.js';

/**
 * The load cache must be invisible: a warm load gives exactly what a fresh parse gives (state, diagnostics
 * with their positions, including those found across files whose documents were never parsed this run).
 */

const root = join(import.meta.dirname, '..', '..');
const scratch = mkdtempSync(join(tmpdir(), 'tidemark-load-cache-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const dirs = (base: string) =>
  readdirSync(join(root, base), { withFileTypes: true })
    .filter((e) => e.isDirectory())
    .map((e) => join(base, e.name));

const caseDirs = dirs('fixtures/cases').flatMap((group) => dirs(group).map((c) => join(c, 'to')));
const sources = ['schema', ...dirs('fixtures/invalid'), ...caseDirs];

function same(a: LoadResult, b: LoadResult): void {
  expect(b.diagnostics).toEqual(a.diagnostics);
  expect(stableStringify(b.state)).toBe(stableStringify(a.state));
}

let n = 0;
const freshCacheDir = () => join(scratch, `cache-${n++}`);

describe('load cache', () => {
  it('covers many inputs', () => {
    expect(sources.length).toBeGreaterThan(100);
  });

  it.each(sources)('%s: cold and warm loads equal an uncached load', async (dir) => {
    const cacheDir = freshCacheDir();
    const plain = await loadDesiredState(dir, { cwd: root });
    const cold = await loadDesiredState(dir, { cwd: root, cacheDir });
    const warm = await loadDesiredState(dir, { cwd: root, cacheDir });
    const files = listSchemaFiles(join(root, dir)).length;
    expect(cold.cache).toMatchObject({ hits: 0, misses: files });
    expect(cold.cache?.missed).toHaveLength(files);
    expect(warm.cache).toEqual({ hits: files, misses: 0, missed: [] });
    same(plain, cold);
    same(plain, warm);
  });

  it('reloads only the file that changed, and cross-file problems still point into cached files', async () => {
    const dir = join(scratch, 'edited');
    cpSync(join(root, 'schema'), dir, { recursive: true });
    const cacheDir = freshCacheDir();
    const before = await loadDesiredState(dir, { cwd: dir, cacheDir });
    expect(before.state).not.toBeNull();
    const files = listSchemaFiles(dir);
    // A new table whose foreign key names a column that does not exist in a table of another (cached) file.
    const target = before.state!.tables.find((t) => t.schema === 'public' && t.primaryKey !== null)!;
    writeFileSync(
      join(dir, 'zz-new.yaml'),
      `tables:\n  zz_new:\n    columns:\n      id: { type: bigint, primaryKey: true }\n      ref: { type: bigint }\n` +
        `    foreignKeys:\n      zz_new_ref_fkey:\n        columns: [ref]\n` +
        `        references: { table: ${target.name}, columns: [no_such_column] }\n`,
    );
    const warm = await loadDesiredState(dir, { cwd: dir, cacheDir });
    expect(warm.cache).toEqual({ hits: files.length, misses: 1, missed: ['zz-new.yaml'] });
    same(await loadDesiredState(dir, { cwd: dir }), warm);
    expect(warm.diagnostics.map((d) => d.code)).toEqual(['unknown-column']);

    // A duplicate definition in a file that sorts first: it is reported at the *later* definition, in a file
    // served from the cache, whose YAML is parsed only to place this diagnostic.
    writeFileSync(
      join(dir, '000-dup.yaml'),
      `tables:\n  ${target.name}:\n    columns:\n      id: { type: bigint }\n`,
    );
    const dup = await loadDesiredState(dir, { cwd: dir, cacheDir });
    expect(dup.cache).toEqual({ hits: files.length + 1, misses: 1, missed: ['000-dup.yaml'] });
    same(await loadDesiredState(dir, { cwd: dir }), dup);
    const inCached = dup.diagnostics.find((d) => d.code === 'duplicate-definition');
    expect(inCached?.file).not.toBe('000-dup.yaml');
    expect(inCached?.line).toBeGreaterThan(1);
  });

  it('places what the checks across files find in cached files after an unrelated edit, as a fresh load does', async () => {
    const dir = join(scratch, 'probed');
    mkdirSync(dir, { recursive: true });
    // A warning (SET NULL on a NOT NULL column) and an error (a key on a column that does not exist, which a
    // foreign key elsewhere points at without naming columns) found only by the checks across files.
    writeFileSync(
      join(dir, 'a.yaml'),
      'tables:\n  owners:\n    columns:\n      id: { type: bigint }\n    primaryKey: [nope]\n',
    );
    writeFileSync(
      join(dir, 'b.yaml'),
      'tables:\n  pets:\n    columns:\n      id: { type: bigint, primaryKey: true }\n' +
        '      owner_id: { type: bigint, notNull: true }\n    foreignKeys:\n      pets_owner_id_fkey:\n' +
        '        columns: [owner_id]\n        references: { table: owners }\n        onDelete: set null\n',
    );
    writeFileSync(join(dir, 'c.yaml'), 'tables:\n  notes:\n    columns:\n      id: { type: bigint }\n');
    const cacheDir = freshCacheDir();
    await loadDesiredState(dir, { cwd: dir, cacheDir });
    writeFileSync(join(dir, 'c.yaml'), 'tables:\n  notes:\n    columns:\n      id: { type: integer }\n');
    const warm = await loadDesiredState(dir, { cwd: dir, cacheDir });
    expect(warm.cache).toEqual({ hits: 2, misses: 1, missed: ['c.yaml'] });
    const fresh = await loadDesiredState(dir, { cwd: dir });
    same(fresh, warm);
    expect(warm.diagnostics.map((d) => `${d.file}:${d.line} ${d.code}`)).toEqual(
      fresh.diagnostics.map((d) => `${d.file}:${d.line} ${d.code}`),
    );
    expect(warm.diagnostics.map((d) => d.code).sort()).toEqual(['set-null-on-not-null', 'unknown-column']);

    // The same with an entry whose origins are damaged though its load reads: loaded afresh, not misplaced.
    const pack = join(cacheDir, readdirSync(cacheDir).find((f) => f.startsWith('load-'))!);
    const lines = readFileSync(pack, 'utf8').split('\n');
    const i = lines.findIndex((l) => l.includes('"a.yaml"'));
    lines[i] = `${lines[i]!.slice(0, lines[i]!.lastIndexOf('\t') + 1)}[[["tables",0],{"d":`;
    writeFileSync(pack, lines.join('\n'));
    writeFileSync(join(dir, 'c.yaml'), 'tables:\n  notes:\n    columns:\n      id: { type: smallint }\n');
    const damaged = await loadDesiredState(dir, { cwd: dir, cacheDir });
    same(await loadDesiredState(dir, { cwd: dir }), damaged);
    expect(damaged.diagnostics).toHaveLength(2);
  });

  it('tells its caller which files it will parse before it parses any', async () => {
    const dir = join(scratch, 'told');
    cpSync(join(root, 'schema'), dir, { recursive: true });
    const cacheDir = freshCacheDir();
    const files = listSchemaFiles(dir);
    const told: [readonly string[], number][] = [];
    const onFreshFiles = (fresh: readonly string[], cached: number) => {
      told.push([fresh, cached]);
    };
    await loadDesiredState(dir, { cwd: dir, cacheDir, onFreshFiles });
    const [file] = files;
    writeFileSync(join(dir, file!), `${readFileSync(join(dir, file!), 'utf8')}\n# edited\n`);
    const edited = await loadDesiredState(dir, { cwd: dir, cacheDir, onFreshFiles });
    await loadDesiredState(dir, { cwd: dir, onFreshFiles });
    expect(told).toEqual([
      [files, 0],
      [[file], files.length - 1],
    ]);
    expect(edited.cache?.missed).toEqual([file]);
  });

  describe('the early state, once the changed files are loaded', () => {
    const TYPES = 'enums:\n  mood: { values: [calm, lively] }\nsequences:\n  ticket_no: {}\n';
    const OWNERS = 'tables:\n  owners:\n    columns:\n      id: { type: bigint, primaryKey: true }\n';
    const PETS =
      'schema: zoo\nenums:\n  kind: { values: [cat, dog] }\ntables:\n  pets:\n    columns:\n' +
      '      id: { type: bigint, primaryKey: true }\n      kind: { type: kind }\n      mood: { type: public.mood }\n' +
      '      owner_id: { type: bigint }\n    foreignKeys:\n      pets_owner_id_fkey:\n        columns: [owner_id]\n' +
      '        references: { schema: public, table: owners, columns: [id] }\n';
    const withNickname = PETS.replace('    foreignKeys:', '      nickname: { type: text }\n    foreignKeys:');
    const project = (name: string) => {
      const dir = join(scratch, name);
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, 'a-types.yaml'), TYPES);
      writeFileSync(join(dir, 'b-owners.yaml'), OWNERS);
      writeFileSync(join(dir, 'c-pets.yaml'), PETS);
      return dir;
    };
    const loadTelling = async (dir: string, cacheDir: string | null) => {
      const told: EarlyLoad[] = [];
      const result = await loadDesiredState(dir, {
        cwd: dir,
        cacheDir,
        onChangedLoaded: (early) => {
          told.push(early);
        },
      });
      return { result, told };
    };

    it('has the changed tables and the types of every file, and holds for the final state', async () => {
      const dir = project('early');
      const cacheDir = freshCacheDir();
      expect((await loadTelling(dir, cacheDir)).told).toEqual([]);
      writeFileSync(join(dir, 'c-pets.yaml'), withNickname);
      const { result, told } = await loadTelling(dir, cacheDir);
      same(await loadDesiredState(dir, { cwd: dir }), result);
      expect(told).toHaveLength(1);
      const early = told[0]!;
      const state = result.state!;
      expect(early.changedFiles).toEqual(['c-pets.yaml']);
      // The enum of its own file qualified as the final state has it, the other file's enum and sequence known.
      expect(stableStringify(early.state.tables)).toBe(
        stableStringify(state.tables.filter((t) => t.name === 'pets')),
      );
      expect(early.state.tables[0]!.columns.map((c) => c.type)).toEqual([
        'bigint',
        'zoo.kind',
        'public.mood',
        'bigint',
        'text',
      ]);
      expect(early.state.enums.map((e) => e.name)).toEqual(['mood', 'kind']);
      expect(early.state.sequences.map((q) => q.name)).toEqual(['ticket_no']);
      expect(early.state.schemas).toEqual(['public', 'zoo']);
      expect(early.superseded.map((t) => t.name)).toEqual(['pets']);
      expect(earlyHolds(early, state, result.cache!.missed)).toBe(true);
      // Nothing changed, or no cache: nothing to tell.
      expect((await loadTelling(dir, cacheDir)).told).toEqual([]);
      expect((await loadTelling(dir, null)).told).toEqual([]);
    });

    it('does not hold where the checks across files fill in what the changed file left out', async () => {
      const dir = project('early-filled');
      const cacheDir = freshCacheDir();
      await loadTelling(dir, cacheDir);
      // The referenced columns left to the owners' primary key, which is in a file not loaded yet.
      writeFileSync(join(dir, 'c-pets.yaml'), PETS.replace(', columns: [id] }', ' }'));
      const { result, told } = await loadTelling(dir, cacheDir);
      same(await loadDesiredState(dir, { cwd: dir }), result);
      expect(told[0]!.state.tables[0]!.foreignKeys[0]!.references.columns).toEqual([]);
      expect(result.state!.tables.find((t) => t.name === 'pets')!.foreignKeys[0]!.references.columns).toEqual(
        ['id'],
      );
      expect(earlyHolds(told[0]!, result.state!, result.cache!.missed)).toBe(false);
    });

    it('does not hold when a file it took from the cache turns out to be damaged', async () => {
      const dir = project('early-damaged');
      const cacheDir = freshCacheDir();
      await loadTelling(dir, cacheDir);
      // The owners' line keeps a readable head, but its tables no longer decode.
      const pack = join(cacheDir, readdirSync(cacheDir).find((f) => f.startsWith('load-'))!);
      const lines = readFileSync(pack, 'utf8').split('\n');
      const i = lines.findIndex((l) => l.includes('"b-owners.yaml"'));
      const fields = lines[i]!.split('\t');
      fields[3] = '[{"schema":';
      lines[i] = fields.join('\t');
      writeFileSync(pack, lines.join('\n'));
      writeFileSync(join(dir, 'c-pets.yaml'), withNickname);
      const { result, told } = await loadTelling(dir, cacheDir);
      same(await loadDesiredState(dir, { cwd: dir }), result);
      expect(told[0]!.changedFiles).toEqual(['c-pets.yaml']);
      expect(result.cache!.missed).toEqual(['c-pets.yaml', 'b-owners.yaml']);
      expect(earlyHolds(told[0]!, result.state!, result.cache!.missed)).toBe(false);
    });
  });

  it('runs the checks across files again when an option they depend on changes', async () => {
    const cacheDir = freshCacheDir();
    const plain = await loadDesiredState('schema', { cwd: root, cacheDir });
    expect(plain.state).not.toBeNull();
    // The example schema uses more than one schema: managing only public makes the others errors.
    const narrowed = await loadDesiredState('schema', { cwd: root, cacheDir, schemas: ['public'] });
    expect(narrowed.cache?.misses).toBe(0);
    same(await loadDesiredState('schema', { cwd: root, schemas: ['public'] }), narrowed);
    expect(narrowed.state).toBeNull();
    same(plain, await loadDesiredState('schema', { cwd: root, cacheDir }));
  });

  it('treats a damaged entry as absent and rewrites it', async () => {
    const cacheDir = freshCacheDir();
    await loadDesiredState('schema', { cwd: root, cacheDir });
    const [pack] = readdirSync(cacheDir);
    const lines = readFileSync(join(cacheDir, pack!), 'utf8').split('\n');
    lines[1] = `${lines[1]!.slice(0, 200)} trailing garbage`;
    writeFileSync(join(cacheDir, pack!), lines.join('\n'));
    const damaged = await loadDesiredState('schema', { cwd: root, cacheDir });
    expect(damaged.cache?.misses).toBe(1);
    same(await loadDesiredState('schema', { cwd: root }), damaged);
    expect((await loadDesiredState('schema', { cwd: root, cacheDir })).cache?.misses).toBe(0);
  });

  describe('the cache file is a log', () => {
    const packOf = (cacheDir: string) => {
      const name = readdirSync(cacheDir).find((f) => f.startsWith('load-'));
      return join(cacheDir, name!);
    };
    const edit = (dir: string, file: string, i: number) => {
      const path = join(dir, file);
      writeFileSync(path, `${readFileSync(path, 'utf8')}\n# edit ${i}\n`);
    };

    it('appends the lines of changed files and keeps the rest of the file as it was', async () => {
      const dir = join(scratch, 'appended');
      cpSync(join(root, 'schema'), dir, { recursive: true });
      const cacheDir = freshCacheDir();
      await loadDesiredState(dir, { cwd: dir, cacheDir });
      const before = readFileSync(packOf(cacheDir), 'utf8');
      const [file] = listSchemaFiles(dir);
      edit(dir, file!, 1);
      const edited = await loadDesiredState(dir, { cwd: dir, cacheDir });
      expect(edited.cache?.missed).toEqual([file]);
      const after = readFileSync(packOf(cacheDir), 'utf8');
      expect(after.startsWith(before)).toBe(true);
      // The file's new line, and the checks across files for the new set of files.
      expect(after.slice(before.length).split('\n')).toHaveLength(3);
      const warm = await loadDesiredState(dir, { cwd: dir, cacheDir });
      expect(warm.cache?.misses).toBe(0);
      same(await loadDesiredState(dir, { cwd: dir }), warm);
    });

    it('rewrites the file with only the current lines once replaced ones outnumber them', async () => {
      const dir = join(scratch, 'compacted');
      cpSync(join(root, 'schema'), dir, { recursive: true });
      const cacheDir = freshCacheDir();
      const files = listSchemaFiles(dir);
      await loadDesiredState(dir, { cwd: dir, cacheDir });
      const rows = () => readFileSync(packOf(cacheDir), 'utf8').split('\n').length - 2;
      const sizes: number[] = [];
      for (let i = 0; i < 2 * files.length; i++) {
        edit(dir, files[i % files.length]!, i);
        const result = await loadDesiredState(dir, { cwd: dir, cacheDir });
        expect(result.cache?.misses).toBe(1);
        sizes.push(rows());
      }
      // Never more than twice the live lines (one per file, plus the checks line); compacted back to them.
      expect(Math.max(...sizes)).toBeLessThanOrEqual(2 * (files.length + 1));
      expect(sizes).toContain(files.length + 1);
      same(await loadDesiredState(dir, { cwd: dir }), await loadDesiredState(dir, { cwd: dir, cacheDir }));
    });

    it('rewrites a file whose last line a killed run left incomplete', async () => {
      const dir = join(scratch, 'torn');
      cpSync(join(root, 'schema'), dir, { recursive: true });
      const cacheDir = freshCacheDir();
      await loadDesiredState(dir, { cwd: dir, cacheDir });
      const files = listSchemaFiles(dir);
      edit(dir, files[0]!, 1);
      await loadDesiredState(dir, { cwd: dir, cacheDir });
      const text = readFileSync(packOf(cacheDir), 'utf8');
      writeFileSync(packOf(cacheDir), text.slice(0, text.length - 20));
      const torn = await loadDesiredState(dir, { cwd: dir, cacheDir });
      // The torn line was the checks line: every file still hits, and the checks run again.
      expect(torn.cache?.misses).toBe(0);
      same(await loadDesiredState(dir, { cwd: dir }), torn);
      const rewritten = readFileSync(packOf(cacheDir), 'utf8');
      expect(rewritten.endsWith('\n')).toBe(true);
      expect(rewritten.split('\n')).toHaveLength(files.length + 3);
      expect((await loadDesiredState(dir, { cwd: dir, cacheDir })).cache?.misses).toBe(0);
    });
  });

  it('removes the cache of schema directories not loaded for a month when it writes its own', async () => {
    const cacheDir = freshCacheDir();
    mkdirSync(cacheDir, { recursive: true });
    const old = join(cacheDir, 'load-0000000000000000.cache');
    const recent = join(cacheDir, 'load-1111111111111111.cache');
    const unrelated = join(cacheDir, 'notes.txt');
    for (const f of [old, recent, unrelated]) writeFileSync(f, 'x');
    const longAgo = new Date(Date.now() - 40 * 24 * 3600 * 1000);
    utimesSync(old, longAgo, longAgo);
    utimesSync(unrelated, longAgo, longAgo);
    await loadDesiredState('schema', { cwd: root, cacheDir });
    expect(existsSync(old)).toBe(false);
    expect(existsSync(recent)).toBe(true);
    expect(existsSync(unrelated)).toBe(true);
  });

  it('loads correctly when the cache directory cannot be written', async () => {
    const blocker = join(scratch, 'not-a-directory');
    writeFileSync(blocker, '');
    const result = await loadDesiredState('schema', { cwd: root, cacheDir: blocker });
    same(await loadDesiredState('schema', { cwd: root }), result);
  });
});
