import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { withClient } from '../../src/db/connect.js';
import { databaseUrl } from './db.js';

/**
 * What the crash tests share: copies of a seeded database, and `tidemark apply` of a saved plan in a child
 * process of its own (test/fixtures/apply/run-apply-planned.ts) that a test can kill mid-step or stop with
 * TIDEMARK_TEST_KILL_AFTER_STEP.
 */

/** Applies a plan the way `tidemark apply --plan` does (stale check against the plan's fingerprints). */
export const APPLY_PLANNED_SCRIPT = fileURLToPath(
  new URL('../fixtures/apply/run-apply-planned.ts', import.meta.url),
);

export interface ClonedDatabase {
  readonly url: string;
  drop(): Promise<void>;
}

/** `CREATE DATABASE name TEMPLATE seed` next to the seed. */
export async function cloneDatabase(
  seed: { url: string; name: string },
  name: string,
): Promise<ClonedDatabase> {
  const admin = new pg.Client({ connectionString: databaseUrl(seed.url, 'postgres') });
  await admin.connect();
  await admin.query(`create database ${name} template ${seed.name}`);
  return {
    url: databaseUrl(seed.url, name),
    drop: async () => {
      await admin.query(`drop database if exists ${name} with (force)`);
      await admin.end();
    },
  };
}

export interface ChildExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Run `script` on the plan in `planFile` against `url` in a child process; `done` settles when it exits. */
export function runApplyChild(
  script: string,
  planFile: string,
  url: string,
  env: Record<string, string> = {},
): { child: ChildProcess; done: Promise<ChildExit> } {
  const child = spawn(process.execPath, ['--import', 'tsx', script, planFile], {
    env: { ...process.env, APPLY_TEST_URL: url, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d: Buffer) => {
    stdout += d.toString();
  });
  child.stderr?.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  const done = new Promise<ChildExit>((resolve) => {
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
  return { child, done };
}

/** Wait until no session of a (killed) apply is left on the database: its work ends with its client. */
export async function waitForApplyToEnd(url: string): Promise<void> {
  await withClient(url, async (c) => {
    for (let i = 0; i < 100; i++) {
      const { rowCount } = await c.query(
        "select 1 from pg_stat_activity where datname = current_database() and application_name like 'tidemark apply work%'",
      );
      if (rowCount === 0) return;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error('the killed apply left its build running');
  });
}

/**
 * SIGKILL the apply once its concurrent build of `index` has written blocks, and end the build's backend at
 * once: the server would end it when it next notices the client is gone, but a fast machine could finish the
 * build first. Returns the build phase it was killed in, or null if the build was never seen.
 */
export async function killDuringIndexBuild(
  url: string,
  child: ChildProcess,
  index: string,
  attempts: number,
): Promise<string | null> {
  return withClient(url, async (c) => {
    for (let i = 0; i < attempts; i++) {
      const { rows } = await c.query<{ phase: string }>(
        `select p.phase from pg_stat_progress_create_index p join pg_stat_activity a on a.pid = p.pid
          where a.query like '%' || $1 || '%' and p.blocks_done > 0`,
        [index],
      );
      if (rows[0]) {
        child.kill('SIGKILL');
        await c.query(
          `select pg_terminate_backend(pid) from pg_stat_activity
            where datname = current_database() and application_name like 'tidemark apply work%'`,
        );
        return rows[0].phase;
      }
      await new Promise((r) => setTimeout(r, 5));
    }
    return null;
  });
}
