import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseDuration, resolveConfig } from '../../src/config/config.js';
import { ConfigError } from '../../src/errors.js';

/** Precedence, lowest first: defaults, tidemark.yaml, environment, flags. */
describe('configuration', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'tidemark-config-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('uses the defaults without a file', () => {
    const c = resolveConfig({}, {}, dir);
    expect(c.configFile).toBeNull();
    expect(c.schemaDir).toBe(join(dir, 'schema'));
    expect(c.plansDir).toBe(join(dir, 'plans'));
    expect(c.databaseUrl).toBeNull();
    expect(c.lockTimeoutMs).toBe(2000);
    expect(c.retries).toBe(5);
    expect(c.snapshotDir).toBe(join(dir, '.tidemark/snapshots'));
  });

  it('reads tidemark.yaml from a parent directory, paths relative to it', () => {
    writeFileSync(
      join(dir, 'tidemark.yaml'),
      'schemaDir: db/schema\nschemas: [public, billing]\nignore: ["public.tmp_*"]\ndatabase: { urlEnv: APP_DB }\napply: { lockTimeout: 5s, retries: 2 }\n',
    );
    const sub = join(dir, 'src', 'deep');
    mkdirSync(sub, { recursive: true });
    const c = resolveConfig({}, { APP_DB: 'postgres://app@db/app' }, sub);
    expect(c.configFile).toBe(join(dir, 'tidemark.yaml'));
    expect(c.schemaDir).toBe(join(dir, 'db/schema'));
    expect(c.schemas).toEqual(['public', 'billing']);
    expect(c.ignore).toEqual(['public.tmp_*']);
    expect(c.databaseUrl).toBe('postgres://app@db/app');
    expect(c.lockTimeoutMs).toBe(5000);
    expect(c.retries).toBe(2);
  });

  it('lets the environment override the file and flags override both', () => {
    writeFileSync(
      join(dir, 'tidemark.yaml'),
      'schemaDir: from-file\nschemas: [a]\napply: { lockTimeout: 5s }\n',
    );
    const env = {
      TIDEMARK_SCHEMA_DIR: 'from-env',
      TIDEMARK_SCHEMAS: 'b,c',
      TIDEMARK_LOCK_TIMEOUT: '3s',
      DATABASE_URL: 'postgres://env/db',
    };
    const fromEnv = resolveConfig({}, env, dir);
    expect(fromEnv.schemaDir).toBe(join(dir, 'from-env'));
    expect(fromEnv.schemas).toEqual(['b', 'c']);
    expect(fromEnv.lockTimeoutMs).toBe(3000);
    expect(fromEnv.databaseUrl).toBe('postgres://env/db');
    const fromFlags = resolveConfig(
      { schemaDir: 'from-flag', schemas: 'd', lockTimeout: '750ms', db: 'postgres://flag/db' },
      env,
      dir,
    );
    expect(fromFlags.schemaDir).toBe(join(dir, 'from-flag'));
    expect(fromFlags.schemas).toEqual(['d']);
    expect(fromFlags.lockTimeoutMs).toBe(750);
    expect(fromFlags.databaseUrl).toBe('postgres://flag/db');
  });

  it('rejects an unknown key and a broken file with the file and what to do', () => {
    writeFileSync(join(dir, 'tidemark.yaml'), 'schemaDirs: x\n');
    expect(() => resolveConfig({}, {}, dir)).toThrow(
      /tidemark\.yaml: unknown key "schemaDirs"; valid keys are schemaDir/,
    );
    writeFileSync(join(dir, 'tidemark.yaml'), 'schemaDir: [\n');
    expect(() => resolveConfig({}, {}, dir)).toThrow(ConfigError);
    expect(() => resolveConfig({ config: 'missing.yaml' }, {}, dir)).toThrow(/missing\.yaml does not exist/);
  });

  it('reads durations and refuses what it cannot read', () => {
    expect(parseDuration('2s', 'x')).toBe(2000);
    expect(parseDuration('1min', 'x')).toBe(60_000);
    expect(parseDuration('250ms', 'x')).toBe(250);
    expect(parseDuration(100, 'x')).toBe(100);
    expect(() => parseDuration('soon', 'apply.lockTimeout')).toThrow(
      /apply.lockTimeout: cannot read duration "soon"/,
    );
  });
});
