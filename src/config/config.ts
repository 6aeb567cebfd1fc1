import { existsSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { isMap, parseDocument } from 'yaml';
import { ConfigError } from '../errors.js';

/**
 * One resolved configuration from, lowest precedence first: built-in defaults, `tidemark.yaml` at the project
 * root, environment variables, command-line flags.
 */
export interface Config {
  /** Directory holding tidemark.yaml (or the working directory when there is none). */
  readonly projectDir: string;
  readonly configFile: string | null;
  readonly schemaDir: string;
  readonly plansDir: string;
  /** Managed schemas; null means "the schemas the desired state names" (public when it names none). */
  readonly schemas: readonly string[] | null;
  /** `schema.name` glob patterns of objects to leave alone. */
  readonly ignore: readonly string[];
  /** Target database URL; null selects the embedded local default database. */
  readonly databaseUrl: string | null;
  readonly shadowUrl: string | null;
  readonly snapshotDir: string;
  /** Milliseconds. */
  readonly lockTimeoutMs: number;
  readonly retries: number;
  /** Directory for the embedded default database and other local state. */
  readonly stateDir: string;
  /**
   * Where loaded schema files are cached by content (`.tidemark/cache`), or null for no cache
   * (`--no-cache`, or `TIDEMARK_CACHE=off`).
   */
  readonly cacheDir: string | null;
}

export interface ConfigOverrides {
  readonly config?: string;
  readonly schemaDir?: string;
  readonly plansDir?: string;
  readonly schemas?: string;
  readonly db?: string;
  readonly shadowUrl?: string;
  readonly lockTimeout?: string;
  /** False for `--no-cache`. */
  readonly cache?: boolean;
}

const CONFIG_KEYS = ['schemaDir', 'plansDir', 'schemas', 'ignore', 'database', 'shadow', 'snapshot', 'apply'];

interface FileConfig {
  schemaDir?: string;
  plansDir?: string;
  schemas?: string[];
  ignore?: string[];
  database?: { urlEnv?: string; url?: string };
  shadow?: { urlEnv?: string; url?: string };
  snapshot?: { dir?: string };
  apply?: { lockTimeout?: string | number; retries?: number };
}

/** Parse `2s`, `500ms`, `1min` or a bare number of milliseconds. */
export function parseDuration(value: string | number, what: string): number {
  if (typeof value === 'number') return value;
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|min|m)?\s*$/.exec(value);
  if (!m) throw new ConfigError(`${what}: cannot read duration "${value}"; write it as 500ms, 2s or 1min`);
  const n = Number(m[1]);
  const unit = m[2] ?? 'ms';
  return Math.round(unit === 'ms' ? n : unit === 's' ? n * 1000 : n * 60_000);
}

function findConfigFile(start: string): string | null {
  let dir = resolve(start);
  for (;;) {
    const candidate = join(dir, 'tidemark.yaml');
    if (existsSync(candidate)) return candidate;
    const parent = dirname(dir);
    if (parent === dir) return null;
    dir = parent;
  }
}

function readConfigFile(file: string): FileConfig {
  const doc = parseDocument(readFileSync(file, 'utf8'), { prettyErrors: true });
  if (doc.errors.length > 0) {
    const e = doc.errors[0]!;
    const pos = e.linePos?.[0];
    throw new ConfigError(`${file}:${pos?.line ?? 1}:${pos?.col ?? 1}: ${e.message.split('\n')[0]}`);
  }
  if (doc.contents === null) return {};
  if (!isMap(doc.contents)) throw new ConfigError(`${file}:1:1: the configuration must be a mapping of keys`);
  const value = doc.toJS() as Record<string, unknown>;
  for (const key of Object.keys(value)) {
    if (!CONFIG_KEYS.includes(key)) {
      throw new ConfigError(`${file}: unknown key "${key}"; valid keys are ${CONFIG_KEYS.join(', ')}`);
    }
  }
  return value as FileConfig;
}

function splitList(value: string): string[] {
  return value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

export function resolveConfig(
  overrides: ConfigOverrides = {},
  env: NodeJS.ProcessEnv = process.env,
  cwd: string = process.cwd(),
): Config {
  const configFile = overrides.config ? resolve(cwd, overrides.config) : findConfigFile(cwd);
  if (overrides.config && !existsSync(configFile!)) {
    throw new ConfigError(`configuration file ${overrides.config} does not exist`);
  }
  const file = configFile ? readConfigFile(configFile) : {};
  const projectDir = configFile ? dirname(configFile) : cwd;
  const fromProject = (p: string) => (isAbsolute(p) ? p : join(projectDir, p));
  const fromCwd = (p: string) => resolve(cwd, p);

  const schemaDir = overrides.schemaDir
    ? fromCwd(overrides.schemaDir)
    : env.TIDEMARK_SCHEMA_DIR
      ? fromCwd(env.TIDEMARK_SCHEMA_DIR)
      : fromProject(file.schemaDir ?? 'schema');
  const plansDir = overrides.plansDir
    ? fromCwd(overrides.plansDir)
    : env.TIDEMARK_PLANS_DIR
      ? fromCwd(env.TIDEMARK_PLANS_DIR)
      : fromProject(file.plansDir ?? 'plans');
  const schemas = overrides.schemas
    ? splitList(overrides.schemas)
    : env.TIDEMARK_SCHEMAS
      ? splitList(env.TIDEMARK_SCHEMAS)
      : (file.schemas ?? null);
  const dbEnv = file.database?.urlEnv ?? 'DATABASE_URL';
  const shadowEnv = file.shadow?.urlEnv ?? 'SHADOW_DATABASE_URL';
  const lockTimeout = overrides.lockTimeout ?? env.TIDEMARK_LOCK_TIMEOUT ?? file.apply?.lockTimeout ?? '2s';
  return {
    projectDir,
    configFile,
    schemaDir,
    plansDir,
    schemas,
    ignore: file.ignore ?? [],
    databaseUrl: overrides.db ?? env[dbEnv] ?? file.database?.url ?? null,
    shadowUrl: overrides.shadowUrl ?? env[shadowEnv] ?? file.shadow?.url ?? null,
    snapshotDir: fromProject(file.snapshot?.dir ?? '.tidemark/snapshots'),
    lockTimeoutMs: parseDuration(lockTimeout, 'apply.lockTimeout'),
    retries: file.apply?.retries ?? 5,
    stateDir: join(projectDir, '.tidemark'),
    cacheDir:
      overrides.cache === false || /^(off|false|0|no)$/i.test(env.TIDEMARK_CACHE ?? '')
        ? null
        : join(projectDir, '.tidemark', 'cache'),
  };
}
