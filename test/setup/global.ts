import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { startEmbedded } from '../../src/embedded/server.js';

declare module 'vitest' {
  export interface ProvidedContext {
    adminUrl: string;
    pgMajor: number;
  }
}

/**
 * One PostgreSQL server for the whole run: `TEST_DATABASE_URL` when set, else an embedded server of major
 * `TIDEMARK_TEST_PG` (default 15, the major of the pg_dump this project's machines have). Each test file then
 * creates its own database on it (test/helpers/db.ts).
 */
export default async function setup(project: TestProject) {
  // CLI tests run the built program (dist/) as a user would; build it once here, not in each test file.
  // Type errors are reported by `npm run typecheck`; tsc still emits, so a type error elsewhere does not stop
  // every test here.
  if (!process.env.TIDEMARK_SKIP_BUILD)
    spawnSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { stdio: 'ignore' });
  const external = process.env.TEST_DATABASE_URL;
  if (external) {
    const { default: pg } = await import('pg');
    const client = new pg.Client({ connectionString: external });
    await client.connect();
    const { rows } = await client.query<{ v: string }>("select current_setting('server_version_num') as v");
    await client.end();
    project.provide('adminUrl', external);
    project.provide('pgMajor', Math.floor(Number(rows[0]?.v) / 10000));
    return;
  }
  const major = Number(process.env.TIDEMARK_TEST_PG ?? 15);
  const dir = mkdtempSync(join(tmpdir(), 'tidemark-test-pg-'));
  const server = await startEmbedded({ dataDir: dir, major, persistent: false });
  project.provide('adminUrl', server.url);
  project.provide('pgMajor', major);
  return async () => {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  };
}
