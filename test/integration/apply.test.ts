import { PassThrough } from 'node:stream';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { APPLY_LOCK_KEY } from '../../src/apply/advisory-lock.js';
import { applyPlan } from '../../src/apply/apply-plan.js';
import {
  ApplyError,
  ApplyLockedError,
  HazardNotAllowedError,
  StalePlanError,
  VerificationError,
} from '../../src/apply/errors.js';
import { lineReporter, ttyReporter } from '../../src/apply/progress.js';
import type { ApplyOptions, ApplyReporter } from '../../src/apply/types.js';
import { catalogFingerprint } from '../fixtures/apply/catalog-fingerprint.js';
import { realPlan } from '../fixtures/apply/expected.js';
import { buildPlan, type GroupSpec } from '../fixtures/apply/plans.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';

const SETUP = `
create table parents (id bigint primary key, name text not null);
create table children (id bigint primary key, parent_id bigint, amount integer);
insert into parents select g, 'p' || g from generate_series(1, 50) g;
insert into children select g, (g % 50) + 1, g from generate_series(1, 500) g;`;

const GROUPS: GroupSpec[] = [
  {
    transactional: true,
    steps: [
      {
        sql: 'create table notes (id bigint primary key, body text)',
        change: 'table.create',
        target: 'public.notes',
      },
      {
        sql: 'alter table children add column status text',
        change: 'column.add',
        target: 'public.children.status',
      },
    ],
  },
  {
    transactional: true,
    steps: [
      {
        sql: "update children set status = 'new' where amount > 100",
        change: 'column.backfill',
        target: 'public.children.status',
      },
    ],
  },
  {
    transactional: false,
    steps: [
      {
        sql: 'create index concurrently children_parent_idx on public.children (parent_id)',
        change: 'index.create',
        target: 'public.children_parent_idx',
        table: 'public.children',
        hazards: ['INDEX_BUILD'],
      },
    ],
  },
  {
    transactional: true,
    steps: [
      'alter table children add constraint children_parent_fk foreign key (parent_id) references parents (id) not valid',
    ],
  },
  { transactional: true, steps: ['alter table children validate constraint children_parent_fk'] },
];

const databases: TestDatabase[] = [];
async function freshDb(setup = SETUP): Promise<TestDatabase> {
  const db = await createTestDatabase('apply');
  databases.push(db);
  await db.query(setup);
  return db;
}
afterEach(async () => {
  for (const db of databases.splice(0)) await db.drop();
});

function options(db: TestDatabase, extra: Partial<ApplyOptions> = {}): ApplyOptions {
  return {
    targetUrl: db.url,
    config: { lockTimeoutMs: 2000, retries: 3, snapshotDir: '/nonexistent' },
    allowHazards: [],
    snapshot: { kind: 'none', reason: 'test' },
    currentFingerprint: () => catalogFingerprint(db.url),
    retryBaseDelayMs: 100,
    ...extra,
  };
}

function recorder(): ApplyReporter & { events: string[] } {
  const events: string[] = [];
  return {
    events,
    wantsIndexProgress: false,
    info: (m) => events.push(`info ${m}`),
    stepStarted: (s, i, t) => events.push(`start ${s.n} ${i}/${t}`),
    stepFinished: (s) => events.push(`done ${s.n}`),
    stepSkipped: (s) => events.push(`skip ${s.n}`),
    stepRetry: (s, a) => events.push(`retry ${s.n} ${a}`),
    indexProgress: () => {},
  };
}

const ledgerExists = async (db: TestDatabase) =>
  (await db.query<{ ok: boolean }>("select to_regnamespace('tidemark') is not null as ok"))[0]?.ok;

describe('applyPlan', () => {
  it('runs the groups in order, records every step in the ledger and verifies the result', async () => {
    const db = await freshDb();
    const { plan } = await realPlan(SETUP, GROUPS);
    const reporter = recorder();
    const result = await applyPlan(plan, options(db, { allowHazards: ['INDEX_BUILD'], reporter }));
    expect(result).toMatchObject({ resumed: false, stepsRun: 6, stepsSkipped: 0, totalSteps: 6 });
    expect(result.fingerprint).toBe(plan.to.fingerprint);
    expect(reporter.events.filter((e) => e.startsWith('start'))).toEqual(
      [1, 2, 3, 4, 5, 6].map((n) => `start ${n} ${n}/6`),
    );

    const [run] = await db.query(
      'select id, status, plan_hash, from_fingerprint, to_fingerprint, final_fingerprint, applied_by, approved_hazards, snapshot_kind, snapshot_note, total_steps, finished_at from tidemark.plans',
    );
    const [{ user }] = (await db.query<{ user: string }>('select current_user as user')) as [
      { user: string },
    ];
    expect(run).toMatchObject({
      status: 'completed',
      from_fingerprint: plan.from.fingerprint,
      to_fingerprint: plan.to.fingerprint,
      final_fingerprint: plan.to.fingerprint,
      applied_by: user,
      approved_hazards: ['INDEX_BUILD'],
      snapshot_kind: 'none',
      snapshot_note: 'no snapshot: test',
      total_steps: 6,
    });
    expect(run?.finished_at).toBeInstanceOf(Date);
    const steps = await db.query(
      'select n, status, change, target, attempts, duration_ms, rows_affected, transactional from tidemark.steps order by n',
    );
    expect(steps.map((s) => [s.n, s.status, s.attempts])).toEqual(
      [1, 2, 3, 4, 5, 6].map((n) => [n, 'completed', 1]),
    );
    expect(steps[2]).toMatchObject({ change: 'column.backfill', rows_affected: '400' });
    expect(steps[3]).toMatchObject({ transactional: false, target: 'public.children_parent_idx' });
    for (const s of steps) expect(typeof s.duration_ms).toBe('number');

    const [fk] = await db.query(
      "select convalidated from pg_constraint where conname = 'children_parent_fk'",
    );
    expect(fk?.convalidated).toBe(true);
    expect(await db.query("select count(*)::int as n from children where status = 'new'")).toEqual([
      { n: 400 },
    ]);
  });

  it('refuses a hazard nobody approved before connecting, and never allows WILL_FAIL_ON_DATA', async () => {
    const db = await freshDb();
    const { plan } = await realPlan(SETUP, GROUPS);
    const error = await applyPlan(plan, options(db)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HazardNotAllowedError);
    expect((error as HazardNotAllowedError).code).toBe('HAZARD_NOT_ALLOWED');
    expect((error as Error).message).toContain('step 4 index.create public.children_parent_idx: INDEX_BUILD');
    expect((error as Error).message).toContain('--allow-hazards INDEX_BUILD');
    expect(await ledgerExists(db)).toBe(false);
    expect(await catalogFingerprint(db.url)).toBe(plan.from.fingerprint);

    const failing: GroupSpec[] = [
      {
        transactional: true,
        steps: [
          {
            sql: 'alter table children add constraint c check (amount < 10)',
            hazards: ['WILL_FAIL_ON_DATA'],
          },
        ],
      },
    ];
    const planned = buildPlan({
      groups: failing,
      from: plan.from.fingerprint,
      to: plan.from.fingerprint,
      approvedHazards: ['WILL_FAIL_ON_DATA'],
    });
    const refused = await applyPlan(planned, options(db, { allowHazards: ['WILL_FAIL_ON_DATA'] })).catch(
      (e: unknown) => e,
    );
    expect(refused).toBeInstanceOf(HazardNotAllowedError);
    expect((refused as Error).message).toContain('WILL_FAIL_ON_DATA cannot be allowed');
    expect(await db.query("select 1 from pg_constraint where conname = 'c'")).toEqual([]);
  });

  it('refuses a stale plan after an out-of-band ALTER and changes nothing', async () => {
    const db = await freshDb();
    const { plan } = await realPlan(SETUP, GROUPS);
    await db.query('alter table parents add column extra text');
    const changed = await catalogFingerprint(db.url);
    const error = await applyPlan(plan, options(db, { allowHazards: ['INDEX_BUILD'] })).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(StalePlanError);
    expect((error as StalePlanError).expected).toBe(plan.from.fingerprint);
    expect((error as StalePlanError).actual).toBe(changed);
    expect((error as Error).message).toContain(plan.from.fingerprint);
    expect((error as Error).message).toContain(changed);
    expect(await ledgerExists(db)).toBe(false);
    expect(await catalogFingerprint(db.url)).toBe(changed);
  });

  it('retries a group that hit lock_timeout and then succeeds', async () => {
    const db = await freshDb();
    const groups: GroupSpec[] = [
      {
        transactional: true,
        steps: ['create table audit (id int)', 'alter table children add column flag boolean'],
      },
    ];
    const { plan } = await realPlan(SETUP, groups);
    const blocker = new pg.Client({ connectionString: db.url });
    await blocker.connect();
    await blocker.query('begin; lock table children in access share mode; select * from children limit 1');
    // Held through the first two attempts, released after the second retry is announced.
    const base = recorder();
    const reporter: typeof base = {
      ...base,
      stepRetry: (s, attempt, delay, why) => {
        base.stepRetry(s, attempt, delay, why);
        if (attempt === 2) void blocker.query('commit');
      },
    };
    try {
      const result = await applyPlan(
        plan,
        options(db, { config: { lockTimeoutMs: 150, retries: 6, snapshotDir: '/x' }, reporter }),
      );
      expect(result.stepsRun).toBe(2);
    } finally {
      await blocker.end();
    }
    expect(base.events.filter((e) => e.startsWith('retry'))).toEqual(['retry 2 1', 'retry 2 2']);
    // The rolled-back attempts left nothing half-done: the table exists exactly once, the ledger says completed.
    const steps = await db.query('select n, status, attempts from tidemark.steps order by n');
    expect(steps).toEqual([
      { n: 1, status: 'completed', attempts: 1 },
      { n: 2, status: 'completed', attempts: 1 },
    ]);
  });

  it('fails cleanly when the lock never comes, with nothing half-done', async () => {
    const db = await freshDb();
    const groups: GroupSpec[] = [
      {
        transactional: true,
        steps: ['create table audit (id int)', 'alter table children add column flag boolean'],
      },
    ];
    const { plan } = await realPlan(SETUP, groups);
    const blocker = new pg.Client({ connectionString: db.url });
    await blocker.connect();
    await blocker.query('begin; lock table children in access share mode');
    try {
      const error = await applyPlan(
        plan,
        options(db, { config: { lockTimeoutMs: 100, retries: 2, snapshotDir: '/x' } }),
      ).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ApplyError);
      expect((error as ApplyError).postgres?.sqlstate).toBe('55P03');
      expect((error as ApplyError).completedSteps).toBe(0);
    } finally {
      await blocker.end();
    }
    expect(await db.query("select to_regclass('audit') as t")).toEqual([{ t: null }]);
    const steps = await db.query('select n, status, attempts, error_sqlstate from tidemark.steps');
    expect(steps).toEqual([{ n: 2, status: 'failed', attempts: 1, error_sqlstate: '55P03' }]);
  });

  it('stops at a step that fails on data, records it, and resumes after the data is fixed', async () => {
    const db = await freshDb();
    const groups: GroupSpec[] = [
      {
        transactional: true,
        steps: ['create table audit (id int)', 'alter table children add column flag boolean'],
      },
      {
        transactional: true,
        steps: [
          {
            sql: 'alter table children add constraint children_amount_small check (amount <= 400)',
            change: 'check.add',
            target: 'public.children.children_amount_small',
          },
          'comment on table children is $$checked$$',
        ],
      },
      { transactional: true, steps: ['alter table parents add column note text'] },
    ];
    // The scratch database that computes the fingerprints has data the check accepts; ours does not.
    const { plan } = await realPlan(
      SETUP.replace('(g % 50) + 1, g from', '(g % 50) + 1, least(g, 400) from'),
      groups,
    );
    const error = await applyPlan(plan, options(db)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApplyError);
    const e = error as ApplyError;
    expect(e.failedStep).toBe(3);
    expect(e.completedSteps).toBe(2);
    expect(e.postgres?.sqlstate).toBe('23514');
    expect(e.message).toContain('step 3 of 5 (check.add public.children.children_amount_small) failed');
    expect(e.message).toContain('violated by some row');
    expect(e.message).toContain('SQLSTATE 23514');
    expect(e.failedSql).toContain('children_amount_small');

    // The database is as the ledger says: group 1 committed, group 2 not, group 3 never started.
    expect(await db.query("select to_regclass('audit')::text as t")).toEqual([{ t: 'audit' }]);
    expect(await db.query("select obj_description('children'::regclass, 'pg_class') as c")).toEqual([
      { c: null },
    ]);
    const steps = await db.query('select n, status, error_sqlstate from tidemark.steps order by n');
    expect(steps).toEqual([
      { n: 1, status: 'completed', error_sqlstate: null },
      { n: 2, status: 'completed', error_sqlstate: null },
      { n: 3, status: 'failed', error_sqlstate: '23514' },
    ]);
    expect(await db.query('select status, error from tidemark.plans')).toEqual([
      { status: 'failed', error: expect.stringContaining('step 3 of 5') },
    ]);

    await db.query('update children set amount = 400 where amount > 400');
    const reporter = recorder();
    const result = await applyPlan(plan, options(db, { reporter }));
    expect(result).toMatchObject({ resumed: true, stepsRun: 3, stepsSkipped: 2 });
    expect(reporter.events).toContain('skip 1');
    const after = await db.query('select n, status, attempts from tidemark.steps order by n');
    expect(after).toEqual([
      { n: 1, status: 'completed', attempts: 1 },
      { n: 2, status: 'completed', attempts: 1 },
      { n: 3, status: 'completed', attempts: 2 },
      { n: 4, status: 'completed', attempts: 1 },
      { n: 5, status: 'completed', attempts: 1 },
    ]);
    expect(await db.query('select count(*)::int as n, status from tidemark.plans group by status')).toEqual([
      { n: 1, status: 'completed' },
    ]);
    expect(await db.query('select count(*)::int as n from children')).toEqual([{ n: 500 }]);
  });

  it('waits briefly for another apply, then fails naming the session that holds the lock', async () => {
    const db = await freshDb();
    const { plan } = await realPlan(SETUP, GROUPS);
    const other = new pg.Client({ connectionString: db.url, application_name: 'other apply on ci-42' });
    await other.connect();
    try {
      await other.query('select pg_advisory_lock($1::bigint)', [APPLY_LOCK_KEY]);
      const { rows } = await other.query<{ pid: number }>('select pg_backend_pid() as pid');
      const started = Date.now();
      const error = await applyPlan(
        plan,
        options(db, { allowHazards: ['INDEX_BUILD'], lockWaitMs: 800 }),
      ).catch((e: unknown) => e);
      expect(Date.now() - started).toBeGreaterThanOrEqual(700);
      expect(error).toBeInstanceOf(ApplyLockedError);
      expect((error as Error).message).toContain('"other apply on ci-42"');
      expect((error as Error).message).toContain(`server pid ${rows[0]?.pid}`);
      expect(await ledgerExists(db)).toBe(false);

      // Released a moment later: the waiting apply gets it.
      const late = applyPlan(plan, options(db, { allowHazards: ['INDEX_BUILD'], lockWaitMs: 5000 }));
      setTimeout(() => void other.query('select pg_advisory_unlock($1::bigint)', [APPLY_LOCK_KEY]), 400);
      expect((await late).stepsRun).toBe(6);
    } finally {
      await other.end();
    }
  });

  it('reports a result that is not the promised one as a verification error', async () => {
    const db = await freshDb();
    const { plan } = await realPlan(SETUP, GROUPS);
    const lying = { ...plan, to: { fingerprint: 'sha256:not-what-happens' } };
    const error = await applyPlan(lying, options(db, { allowHazards: ['INDEX_BUILD'] })).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(VerificationError);
    expect((error as VerificationError).expected).toBe('sha256:not-what-happens');
    expect((error as VerificationError).actual).toBe(plan.to.fingerprint);
    expect(await db.query('select status, final_fingerprint from tidemark.plans')).toEqual([
      { status: 'verification_failed', final_fingerprint: plan.to.fingerprint },
    ]);
  });

  it('drops the INVALID index a failed concurrent build left, and rebuilds it on resume', async () => {
    const db = await freshDb();
    const groups: GroupSpec[] = [
      {
        transactional: false,
        steps: [
          {
            sql: 'create unique index concurrently children_amount_key on public.children (amount)',
            change: 'index.create',
            target: 'public.children_amount_key',
          },
        ],
      },
    ];
    const { plan } = await realPlan(SETUP, groups);
    await db.query('update children set amount = 1 where id in (1, 2)');
    const error = await applyPlan(plan, options(db)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApplyError);
    expect((error as ApplyError).postgres?.sqlstate).toBe('23505');
    expect(await db.query("select 1 from pg_class where relname = 'children_amount_key'")).toEqual([]);
    expect(await db.query('select status, error_sqlstate from tidemark.steps')).toEqual([
      { status: 'failed', error_sqlstate: '23505' },
    ]);

    await db.query('update children set amount = id');
    const result = await applyPlan(plan, options(db));
    expect(result).toMatchObject({ resumed: true, stepsRun: 1 });
    expect(
      await db.query("select indisvalid from pg_index where indexrelid = 'children_amount_key'::regclass"),
    ).toEqual([{ indisvalid: true }]);
  });

  it('refuses to apply a completed plan again, saying it was applied', async () => {
    const db = await freshDb();
    const { plan } = await realPlan(SETUP, GROUPS);
    await applyPlan(plan, options(db, { allowHazards: ['INDEX_BUILD'] }));
    const error = await applyPlan(plan, options(db, { allowHazards: ['INDEX_BUILD'] })).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(StalePlanError);
    expect((error as Error).message).toContain('this plan was already applied');
  });

  it('shows step n of m on a terminal and the phase of a concurrent build polled from a second connection', async () => {
    const db = await freshDb();
    const groups: GroupSpec[] = [
      { transactional: true, steps: ['alter table parents add column flag boolean'] },
      {
        transactional: false,
        steps: [
          {
            sql: 'create index concurrently children_amount_idx on public.children (amount)',
            change: 'index.create',
            target: 'public.children_amount_idx',
            table: 'public.children',
          },
        ],
      },
    ];
    const { plan } = await realPlan(SETUP, groups);
    let written = '';
    const terminal = Object.assign(new PassThrough(), { isTTY: true });
    terminal.on('data', (d: Buffer) => {
      written += d.toString();
    });
    // An open writing transaction holds the build in its first phase until the progress line has shown it.
    const writer = new pg.Client({ connectionString: db.url });
    await writer.connect();
    await writer.query('begin; update children set amount = amount where id = 1');
    const tty = ttyReporter(terminal);
    let committed = false;
    const reporter: ApplyReporter = {
      ...tty,
      indexProgress: (step, progress) => {
        tty.indexProgress(step, progress);
        if (!committed && progress.phase.startsWith('waiting for writers')) {
          committed = true;
          void writer.query('commit');
        }
      },
    };
    const giveUp = setTimeout(() => void writer.query('commit'), 30_000);
    try {
      await applyPlan(
        plan,
        options(db, { reporter, config: { lockTimeoutMs: 60_000, retries: 0, snapshotDir: '/x' } }),
      );
    } finally {
      clearTimeout(giveUp);
      await writer.end();
    }
    expect(committed).toBe(true);
    expect(written).toContain('step 1 of 2: sql.run step1');
    expect(written).toContain(
      'step 2 of 2: index.create public.children_amount_idx: waiting for writers before build',
    );
    expect(written).toMatch(/step 2 of 2: index\.create public\.children_amount_idx \(\d+(\.\d)? m?s\)\n/);
  });

  it('writes one plain line per step when not on a terminal', async () => {
    const db = await freshDb();
    const { plan } = await realPlan(SETUP, GROUPS);
    let written = '';
    const pipe = new PassThrough();
    pipe.on('data', (d: Buffer) => {
      written += d.toString();
    });
    await applyPlan(plan, options(db, { allowHazards: ['INDEX_BUILD'], reporter: lineReporter(pipe) }));
    const stepLines = written.split('\n').filter((l) => /^\[\d\/6\]/.test(l));
    expect(stepLines).toEqual([
      '[1/6] table.create public.notes',
      '[2/6] column.add public.children.status',
      '[3/6] column.backfill public.children.status',
      '[4/6] index.create public.children_parent_idx',
      '[5/6] sql.run step5',
      '[6/6] sql.run step6',
    ]);
    expect(written).not.toContain('\r');
  });

  it('stops between groups when its signal is aborted, and the same apply continues later', async () => {
    const db = await freshDb();
    const { plan } = await realPlan(SETUP, GROUPS);
    const abort = new AbortController();
    const reporter = { ...recorder(), stepFinished: (s: { n: number }) => s.n === 2 && abort.abort() };
    const error = await applyPlan(
      plan,
      options(db, { allowHazards: ['INDEX_BUILD'], reporter, signal: abort.signal }),
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApplyError);
    expect((error as Error).message).toContain('stopped after 2 of 6 steps: interrupted before step 3');
    expect(await db.query('select status from tidemark.plans')).toEqual([{ status: 'failed' }]);
    expect(await db.query('select n from tidemark.steps order by n')).toEqual([{ n: 1 }, { n: 2 }]);
    const result = await applyPlan(plan, options(db, { allowHazards: ['INDEX_BUILD'] }));
    expect(result).toMatchObject({ resumed: true, stepsRun: 4, stepsSkipped: 2 });
  });
});
