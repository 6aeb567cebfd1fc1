import { createHash } from 'node:crypto';
import { chmodSync, closeSync, createReadStream, mkdirSync, openSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { SnapshotError } from './errors.js';
import { connectionEnv, withoutInheritedPg } from './pg-env.js';
import { runTool, type ToolInfo, toolVersion } from './pg-tools.js';
import { templateSnapshot } from './snapshot-template.js';
import type { SnapshotMode, SnapshotRecord } from './types.js';

/**
 * The snapshot taken before the first change. Everything that can fail without touching the database (tool
 * missing, too old) is decided by `prepareSnapshot`, before the ledger or anything else is written.
 */

export type PreparedSnapshot =
  | { readonly kind: 'pg_dump'; readonly pgDump: ToolInfo; readonly pgRestore: ToolInfo }
  | { readonly kind: 'template'; readonly why: string }
  | { readonly kind: 'none'; readonly reason: string };

export interface SnapshotContext {
  readonly url: string;
  readonly serverMajor: number;
  readonly planHash: string;
  readonly snapshotDir: string;
  readonly env: NodeJS.ProcessEnv;
}

function installHint(major: number): string {
  return (
    `install postgresql-client-${major} (Debian/Ubuntu: from the PostgreSQL apt repository; macOS: ` +
    `brew install postgresql@${major}) and put its bin directory first on PATH`
  );
}

export async function prepareSnapshot(mode: SnapshotMode, ctx: SnapshotContext): Promise<PreparedSnapshot> {
  switch (mode.kind) {
    case 'none':
      return { kind: 'none', reason: mode.reason };
    case 'template':
      return { kind: 'template', why: 'requested' };
    case 'pg_dump': {
      const need = ctx.serverMajor;
      const [pgDump, pgRestore] = await Promise.all([
        toolVersion('pg_dump', ctx.env),
        toolVersion('pg_restore', ctx.env),
      ]);
      const problem = !pgDump
        ? 'pg_dump was not found on PATH'
        : pgDump.major < need
          ? `pg_dump ${pgDump.major} (${pgDump.path}) cannot dump a PostgreSQL ${need} server`
          : !pgRestore
            ? 'pg_restore (needed to verify the dump) was not found on PATH'
            : null;
      if (problem === null && pgDump && pgRestore) return { kind: 'pg_dump', pgDump, pgRestore };
      if (mode.templateFallback) {
        return { kind: 'template', why: `${problem}; copied the database instead` };
      }
      throw new SnapshotError(
        `cannot take the snapshot before applying: ${problem}; pg_dump ${need} or newer is needed: ` +
          `${installHint(need)}; or pass --no-snapshot to apply without one (recorded in the ledger). ` +
          'nothing was changed',
      );
    }
  }
}

function utcStamp(date: Date): string {
  return date
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
}

function shellQuote(text: string): string {
  return /^[\w./=:@%+-]+$/.test(text) ? text : `'${text.replaceAll("'", "'\\''")}'`;
}

async function fileSha256(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

async function pgDumpSnapshot(
  tools: { pgDump: ToolInfo; pgRestore: ToolInfo },
  ctx: SnapshotContext,
  now: Date,
): Promise<SnapshotRecord> {
  const { database, env: connEnv } = connectionEnv(ctx.url);
  const dir = resolve(ctx.snapshotDir);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const safeDb = database.replace(/[^\w.-]/g, '_');
  const prefix = ctx.planHash.replace(/^sha256:/, '').slice(0, 12);
  const path = join(dir, `${safeDb}-${utcStamp(now)}-${prefix}.dump`);
  // Created 0600 before pg_dump writes a byte: the dump holds every row of the database.
  closeSync(openSync(path, 'wx', 0o600));
  const env = { ...withoutInheritedPg(ctx.env), ...connEnv };
  const dump = await runTool(tools.pgDump.path, ['--format=custom', '--no-password', `--file=${path}`], env);
  if (dump.code !== 0) {
    rmSync(path, { force: true });
    throw new SnapshotError(
      `pg_dump failed (exit ${dump.code}): ${dump.stderr.trim()}; nothing was changed; fix the cause or ` +
        'pass --no-snapshot',
    );
  }
  chmodSync(path, 0o600);
  const list = await runTool(tools.pgRestore.path, ['--list', path], env);
  if (list.code !== 0 || !/^;\s*Archive created at/m.test(list.stdout)) {
    throw new SnapshotError(
      `the snapshot ${path} does not read back with pg_restore --list: ${list.stderr.trim() || 'no table of contents'}; ` +
        'nothing was changed',
    );
  }
  const sha256 = await fileSha256(path);
  const conn = [
    connEnv.PGHOST ? `--host=${shellQuote(connEnv.PGHOST)}` : null,
    connEnv.PGPORT ? `--port=${connEnv.PGPORT}` : null,
    connEnv.PGUSER ? `--username=${shellQuote(connEnv.PGUSER)}` : null,
  ].filter((s): s is string => s !== null);
  return {
    kind: 'pg_dump',
    location: path,
    sha256,
    note: `pg_dump ${tools.pgDump.major} custom format (${tools.pgDump.path}), full dump with data`,
    restore: [
      `pg_restore --clean --if-exists --single-transaction ${conn.join(' ')} --dbname=${shellQuote(database)} ${shellQuote(path)}`,
    ],
  };
}

/** Take the snapshot. For a template copy the caller must have closed all its connections to the database. */
export async function takeSnapshot(
  prepared: PreparedSnapshot,
  ctx: SnapshotContext,
  now: Date = new Date(),
): Promise<SnapshotRecord> {
  switch (prepared.kind) {
    case 'none':
      return {
        kind: 'none',
        location: null,
        sha256: null,
        note: `no snapshot: ${prepared.reason}`,
        restore: [],
      };
    case 'pg_dump':
      return pgDumpSnapshot(prepared, ctx, now);
    case 'template':
      return templateSnapshot(ctx.url, utcStamp(now).toLowerCase(), prepared.why);
  }
}
