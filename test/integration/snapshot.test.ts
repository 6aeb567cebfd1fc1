import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import pg from 'pg';
import { afterAll, afterEach, describe, expect, inject, it } from 'vitest';
import { applyPlan } from '../../src/apply/apply-plan.js';
import { SnapshotError } from '../../src/apply/errors.js';
import { silentReporter } from '../../src/apply/progress.js';
import type { ApplyOptions } from '../../src/apply/types.js';
import { catalogFingerprint } from '../fixtures/apply/catalog-fingerprint.js';
import { databaseOn, dumpServer } from '../fixtures/apply/dump-server.js';
import { realPlan } from '../fixtures/apply/expected.js';
import { allSql, buildPlan, type GroupSpec } from '../fixtures/apply/plans.js';
import { createTestDatabase, databaseUrl, pgMajor, type TestDatabase } from '../helpers/db.js';

const SETUP = `
create table children (id bigint primary key, name text not null, amount integer);
insert into children select g, 'child ' || g, g * 3 from generate_series(1, 500) g;`;
const GROUPS: GroupSpec[] = [
  {
    transactional: true,
    steps: ['alter table children add column status text', "update children set name = 'x'"],
  },
];

const work = mkdtempSync(join(tmpdir(), 'tidemark-snapshot-'));
const databases: TestDatabase[] = [];
afterEach(async () => {
  for (const db of databases.splice(0)) await db.drop();
});
const stops: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const stop of stops) await stop();
  rmSync(work, { recursive: true, force: true });
});

async function freshDb(): Promise<TestDatabase> {
  const db = await createTestDatabase('snap');
  databases.push(db);
  await db.query(SETUP);
  return db;
}

function options(db: TestDatabase, extra: Partial<ApplyOptions>): ApplyOptions {
  return {
    targetUrl: db.url,
    config: { lockTimeoutMs: 2000, retries: 1, snapshotDir: join(work, 'snapshots') },
    allowHazards: [],
    snapshot: { kind: 'pg_dump', templateFallback: false },
    currentFingerprint: () => catalogFingerprint(db.url),
    ...extra,
  };
}

function fakeBin(name: string, script: string): string {
  const dir = mkdtempSync(join(work, 'bin-'));
  const file = join(dir, name);
  writeFileSync(file, `#!/bin/sh\n${script}\n`);
  chmodSync(file, 0o755);
  return dir;
}

const ledgerExists = async (db: TestDatabase) =>
  (await db.query<{ ok: boolean }>("select to_regnamespace('tidemark') is not null as ok"))[0]?.ok;

describe('snapshot before apply', () => {
  it('dumps with pg_dump (mode 0600, verified, sha256), passes the password only by environment, and restores', async () => {
    const server = await dumpServer(inject('adminUrl'), pgMajor());
    stops.push(server.stop);
    const db = await databaseOn(server.adminUrl, 'snap');
    databases.push(db);
    await db.query(SETUP);
    // The plan's fingerprints, from this same server: as it is, and a scratch copy with the steps run by hand.
    const scratch = await databaseOn(server.adminUrl, 'scratch');
    databases.push(scratch);
    await scratch.query(SETUP);
    for (const sql of allSql(buildPlan({ groups: GROUPS, from: '', to: '' }))) await scratch.query(sql);
    const plan = buildPlan({
      groups: GROUPS,
      from: await catalogFingerprint(db.url),
      to: await catalogFingerprint(scratch.url),
    });
    const password = new URL(db.url).password;
    expect(password.length).toBeGreaterThan(0);
    // A pg_dump in front of Debian's that records what it was given, then runs the real one.
    const log = join(work, 'pg_dump.log');
    const bin = fakeBin(
      'pg_dump',
      `printf '%s\\n' "$@" > ${log}; env | grep -c '^PGPASSWORD=' >> ${log}; exec /usr/bin/pg_dump "$@"`,
    );
    const infos: string[] = [];
    const reporter = { ...silentReporter, info: (m: string) => infos.push(m) };
    const result = await applyPlan(
      plan,
      options(db, { env: { ...process.env, PATH: `${bin}:/usr/bin:/bin` }, reporter }),
    );

    const snap = result.snapshot;
    expect(snap.kind).toBe('pg_dump');
    const path = snap.location!;
    expect(basename(path)).toMatch(new RegExp(`^${db.name}-\\d{8}T\\d{6}Z-[0-9a-f]{12}\\.dump$`));
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(snap.sha256).toBe(createHash('sha256').update(readFileSync(path)).digest('hex'));
    expect(execFileSync('/usr/bin/pg_restore', ['--list', path], { encoding: 'utf8' })).toContain(
      'TABLE DATA public children',
    );

    const argv = readFileSync(log, 'utf8');
    expect(argv).not.toContain(password);
    expect(argv).not.toContain('postgres://');
    expect(argv.trim().split('\n').at(-1)).toBe('1');
    const restore = snap.restore.join('\n');
    expect(restore).toContain(`pg_restore --clean --if-exists`);
    expect(restore).toContain(path);
    expect(restore).not.toContain(password);
    expect(infos.join('\n')).toContain(snap.sha256!);
    expect(infos.join('\n')).not.toContain(password);

    const [row] = await db.query(
      'select snapshot_kind, snapshot_location, snapshot_sha256, snapshot_note from tidemark.plans',
    );
    expect(row).toMatchObject({
      snapshot_kind: 'pg_dump',
      snapshot_location: path,
      snapshot_sha256: snap.sha256,
    });

    // Restore into a new database: the rows as they were before the apply are there.
    const target = await databaseOn(server.adminUrl, 'restored');
    databases.push(target);
    const u = new URL(db.url);
    execFileSync(
      '/usr/bin/pg_restore',
      [
        '--no-password',
        `--host=${u.hostname}`,
        `--port=${u.port}`,
        `--username=${decodeURIComponent(u.username)}`,
        `--dbname=${target.name}`,
        path,
      ],
      { env: { ...process.env, PGPASSWORD: decodeURIComponent(password) }, stdio: 'pipe' },
    );
    expect(
      await target.query(
        "select count(*)::int as n, sum(amount)::int as s, count(*) filter (where name = 'child ' || id)::int as named from children",
      ),
    ).toEqual([{ n: 500, s: 375750, named: 500 }]);
    expect(
      await target.query(
        "select count(*)::int as n from information_schema.columns where table_name = 'children' and column_name = 'status'",
      ),
    ).toEqual([{ n: 0 }]);
    expect(await db.query("select count(*)::int as n from children where name = 'x'")).toEqual([{ n: 500 }]);
  });

  it('stops before any change when pg_dump is not on PATH, naming the client to install', async () => {
    const db = await freshDb();
    const { plan } = await realPlan(SETUP, GROUPS);
    const error = await applyPlan(
      plan,
      options(db, { env: { ...process.env, PATH: join(work, 'empty') } }),
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SnapshotError);
    expect((error as Error).message).toContain('pg_dump was not found on PATH');
    expect((error as Error).message).toContain(`install postgresql-client-${pgMajor()}`);
    expect((error as Error).message).toContain('--no-snapshot');
    expect(await ledgerExists(db)).toBe(false);
    expect(await catalogFingerprint(db.url)).toBe(plan.from.fingerprint);
    expect(await db.query("select count(*)::int as n from children where name = 'x'")).toEqual([{ n: 0 }]);
  });

  it('stops before any change when pg_dump is older than the server', async () => {
    const db = await freshDb();
    const { plan } = await realPlan(SETUP, GROUPS);
    const old = pgMajor() - 2;
    const bin = fakeBin('pg_dump', `echo "pg_dump (PostgreSQL) ${old}.4"`);
    const error = await applyPlan(
      plan,
      options(db, { env: { ...process.env, PATH: `${bin}:/usr/bin:/bin` } }),
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SnapshotError);
    expect((error as Error).message).toContain(
      `pg_dump ${old} (${bin}/pg_dump) cannot dump a PostgreSQL ${pgMajor()} server`,
    );
    expect((error as Error).message).toContain(`pg_dump ${pgMajor()} or newer is needed`);
    expect(await ledgerExists(db)).toBe(false);
  });

  it('copies the database with CREATE DATABASE … TEMPLATE when no compatible pg_dump exists on the embedded path', async () => {
    // Seeded on a connection of our own and closed: the copy needs the database to itself.
    const db = await createTestDatabase('snapt');
    databases.push(db);
    const seed = new pg.Client({ connectionString: db.url });
    await seed.connect();
    await seed.query(SETUP);
    await seed.end();
    const { plan } = await realPlan(SETUP, GROUPS);
    const result = await applyPlan(
      plan,
      options(db, {
        snapshot: { kind: 'pg_dump', templateFallback: true },
        env: { ...process.env, PATH: join(work, 'empty') },
      }),
    );
    const copy = result.snapshot.location!;
    expect(result.snapshot.kind).toBe('template');
    expect(copy).toMatch(new RegExp(`^${db.name}_snap_\\d{8}t\\d{6}z$`));
    expect(result.snapshot.note).toContain('pg_dump was not found on PATH');
    expect(result.snapshot.restore.join('\n')).toContain(`TEMPLATE ${copy}`);
    expect(
      await db.query('select snapshot_kind, snapshot_location, snapshot_sha256 from tidemark.plans'),
    ).toEqual([{ snapshot_kind: 'template', snapshot_location: copy, snapshot_sha256: null }]);
    const admin = new URL(db.url);
    const copyDb = new pg.Client({ connectionString: databaseUrl(admin.toString(), copy) });
    await copyDb.connect();
    try {
      const { rows } = await copyDb.query(
        "select count(*)::int as n, count(*) filter (where name = 'x')::int as x from children",
      );
      expect(rows).toEqual([{ n: 500, x: 0 }]);
    } finally {
      await copyDb.end();
    }
    const drop = new pg.Client({ connectionString: databaseUrl(admin.toString(), 'postgres') });
    await drop.connect();
    await drop.query(`drop database ${copy}`);
    await drop.end();
  });

  it('records --no-snapshot with its reason', async () => {
    const db = await freshDb();
    const { plan } = await realPlan(SETUP, GROUPS);
    await applyPlan(plan, options(db, { snapshot: { kind: 'none', reason: '--no-snapshot given' } }));
    expect(
      await db.query('select snapshot_kind, snapshot_location, snapshot_note from tidemark.plans'),
    ).toEqual([
      { snapshot_kind: 'none', snapshot_location: null, snapshot_note: 'no snapshot: --no-snapshot given' },
    ]);
  });
});
