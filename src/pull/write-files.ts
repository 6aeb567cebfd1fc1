import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmdirSync,
  statSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { InputError } from '../errors.js';

/**
 * Writing a pull to disk. The loader reads every YAML file under the schema directory, so a stale file from
 * an earlier pull (a table dropped since) would silently come back; with --force those are removed. Files a
 * person wrote (no tidemark header) and everything that is not YAML are left alone.
 */

export interface WriteOptions {
  readonly force: boolean;
}

export interface WriteReport {
  /** Paths relative to the directory, `/`-separated, sorted. */
  readonly written: readonly string[];
  /** Stale files of an earlier pull that were deleted. */
  readonly removed: readonly string[];
  /** YAML files without the tidemark header that remain: the loader will read them too. */
  readonly foreignYaml: readonly string[];
}

const YAML_FILE = /\.ya?ml$/i;

/** Entries the loader never reads (dot files and directories), and dependencies. */
const skipped = (name: string) => name.startsWith('.') || name === 'node_modules';

function listFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      if (skipped(entry.name)) continue;
      const path = join(d, entry.name);
      if (entry.isDirectory()) {
        walk(path);
      } else if (entry.isFile()) {
        out.push(relative(dir, path).split(sep).join('/'));
      }
    }
  };
  walk(dir);
  return out.sort();
}

/** A file an earlier pull wrote: it starts with the `$schema` comment pointing at tidemark's JSON Schema. */
export function isPulledFile(text: string): boolean {
  const first = text.split('\n', 1)[0] ?? '';
  return first.startsWith('# yaml-language-server: $schema=') && first.includes('tidemark.schema.json');
}

function isEmptyDir(dir: string): boolean {
  return readdirSync(dir).length === 0;
}

/** Empty for pull's purpose: nothing but dot files (a `.gitkeep`, say). */
function holdsNothing(dir: string): boolean {
  return readdirSync(dir).every((name) => name.startsWith('.'));
}

export function writePulledFiles(
  dir: string,
  files: ReadonlyMap<string, string>,
  options: WriteOptions,
): WriteReport {
  const removed: string[] = [];
  const foreignYaml: string[] = [];
  if (existsSync(dir)) {
    if (!statSync(dir).isDirectory()) {
      throw new InputError(`${dir} is a file, not a directory; choose a directory with --out`);
    }
    if (!holdsNothing(dir) && !options.force) {
      throw new InputError(
        `${dir} is not empty; run pull again with --force to replace the YAML files an earlier pull wrote ` +
          '(other files are kept), or choose an empty directory with --out',
      );
    }
    for (const file of listFiles(dir)) {
      if (!YAML_FILE.test(file) || files.has(file)) continue;
      const path = join(dir, file);
      if (isPulledFile(readFileSync(path, 'utf8'))) {
        unlinkSync(path);
        removed.push(file);
        removeEmptyParents(dir, dirname(path));
      } else {
        foreignYaml.push(file);
      }
    }
  }
  // Made even when nothing is written: a database without managed objects pulls to an empty desired state,
  // which plan and apply then read as such (rather than as a missing directory).
  mkdirSync(dir, { recursive: true });
  for (const [file, text] of files) {
    const path = join(dir, ...file.split('/'));
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, text);
  }
  return { written: [...files.keys()].sort(), removed, foreignYaml };
}

/** Directories emptied by removing stale files go too, up to (not including) the output directory. */
function removeEmptyParents(root: string, dir: string): void {
  let current = dir;
  while (relative(root, current) !== '' && !relative(root, current).startsWith('..') && isEmptyDir(current)) {
    rmdirSync(current);
    current = dirname(current);
  }
}
