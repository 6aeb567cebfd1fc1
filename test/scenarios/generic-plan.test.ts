import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/cli.js';
import { pgMajor } from '../helpers/db.js';
import {
  editToAfter,
  expectExit,
  expectGoldenPlan,
  openScenario,
  parsePlan,
  type Scenario,
  stepFor,
  steps,
} from './scenario.js';
import { loadWorkflow, runJob, type StepRun, tidemarkCommands } from './workflows.js';

/**
 * Seed 003, the generic improvement plan (backup → document → prune → relate → index → secure), carried out
 * the way docs/ci.md says: the pull request is planned against staging by docs/examples/tidemark-plan.yml,
 * reviewers approve hazards with labels, tidemark-apply.yml applies the saved plan after the merge, and
 * tidemark-drift.yml checks every night. The workflow steps run here as written.
 */

const PLAN = loadWorkflow('tidemark-plan.yml');
const APPLY = loadWorkflow('tidemark-apply.yml');
const DRIFT = loadWorkflow('tidemark-drift.yml');
const ALL_HAZARDS = ['DELETES_DATA', 'FULL_SCAN', 'INDEX_BUILD', 'NON_TRANSACTIONAL'];
const KEPT = [
  'users',
  'children',
  'child_schedules',
  'sessions',
  'session_activity',
  'security_credentials',
  'security_logs',
];

function step(runs: readonly StepRun[], name: string): StepRun {
  const found = runs.find((r) => r.name === name);
  if (!found) throw new Error(`step "${name}" did not run; ran: ${runs.map((r) => r.name).join(', ')}`);
  return found;
}

describe('scenario: the generic plan through the CI workflows of docs/ci.md', { timeout: 300_000 }, () => {
  let s: Scenario;
  let context: Record<string, string>;
  const before = new Map<string, number>();

  beforeAll(async () => {
    s = await openScenario('generic-plan');
    for (const t of KEPT) before.set(t, await s.count(t));
    context = {
      'secrets.STAGING_DATABASE_URL': s.db.url,
      'secrets.PRODUCTION_READONLY_DATABASE_URL': s.db.url,
      'github.event.pull_request.number': '42',
      'github.token': 'unused',
      'github.event.pull_request.head.sha': 'unused',
    };
  });
  afterAll(async () => {
    await s?.close();
  });

  it('docs/ci.md shows exactly the tidemark commands the workflow files run', () => {
    const doc = readFileSync(join(ROOT, 'docs/ci.md'), 'utf8');
    const inDoc = [...doc.matchAll(/```(?:bash|sh|yaml)\n([\s\S]*?)```/g)]
      .flatMap((m) => (m[1] ?? '').split('\n'))
      .filter((l) => /\bnpx tidemark\b/.test(l))
      .map((l) => l.trim().replace(/^run:\s*/, ''));
    const inWorkflows = [PLAN, APPLY, DRIFT].flatMap(tidemarkCommands);
    expect(inWorkflows.length).toBeGreaterThanOrEqual(4);
    expect([...new Set(inDoc)].sort()).toEqual([...new Set(inWorkflows)].sort());
  });

  it('pull request: validate and plan against staging; the Markdown comment names hazards and unmanaged objects', async () => {
    await expectExit(s.cli('pull', '--out', 'schema'), 0);
    editToAfter(s, ['billing.yaml', 'user_sessions.yaml']);

    // A reviewer has approved only the drops so far.
    const runs = await runJob(PLAN, 'plan', s.dir, {
      ...context,
      "join(github.event.pull_request.labels.*.name, ',')": 'schema,hazard:DELETES_DATA',
    });
    for (const r of runs) expect(r.code, `${r.name}\n${r.stderr}`).toBe(0);
    expect(step(runs, 'Read the hazards reviewers approved').outputs.allow).toBe('DELETES_DATA');

    const markdown = readFileSync(join(s.dir, 'plan.md'), 'utf8');
    expectGoldenPlan('generic-plan', markdown);
    expect(markdown).toContain('table public.user_sessions and all its rows are deleted (~7 rows');
    expect(markdown).toContain('the values of public.security_credentials.pin are deleted (~12 rows');
    expect(markdown).toContain('- view `public.recent_activity`');
    expect(markdown).toContain('- policy `public.security_logs_own`');

    const plan = parsePlan(readFileSync(join(s.dir, 'plans/reviewed.plan.json'), 'utf8'));
    expect(plan.approvedHazards).toEqual(['DELETES_DATA']);
    // document → prune → relate → index → secure, each visible in the plan.
    stepFor(plan, 'table.comment', 'public.session_activity');
    expect(stepFor(plan, 'table.drop', 'public.billing').hazards[0]?.message).toContain('~0 rows');
    expect(stepFor(plan, 'fk.add', 'public.child_schedules.child_schedules_child_id_fkey').sql).toMatch(
      /NOT VALID$/,
    );
    expect(stepFor(plan, 'index.create', 'public.idx_session_activity_timestamp').sql).toMatch(
      /^CREATE INDEX CONCURRENTLY/,
    );
    stepFor(plan, 'column.drop', 'public.security_credentials.pin');
    expect(steps(plan).filter((x) => x.hazards.some((h) => h.code === 'WILL_FAIL_ON_DATA'))).toEqual([]);
  });

  it('merge: apply refuses the plan while hazards are unapproved, and changes nothing', async () => {
    const runs = await runJob(APPLY, 'apply', s.dir, context);
    const apply = step(runs, 'Apply the reviewed plan');
    expect(apply.code).toBe(1);
    expect(apply.stderr).toContain('hazards not approved');
    expect(apply.stderr).toContain('--allow-hazards FULL_SCAN,INDEX_BUILD,NON_TRANSACTIONAL');
    expect(await s.db.query("SELECT to_regclass('user_sessions') IS NOT NULL AS kept")).toEqual([
      { kept: true },
    ]);
  });

  it('merge: once every hazard is approved by a label, applies the reviewed plan and the nightly drift is clean', async () => {
    const labels = ALL_HAZARDS.map((h) => `hazard:${h}`).join(',');
    const planned = await runJob(PLAN, 'plan', s.dir, {
      ...context,
      "join(github.event.pull_request.labels.*.name, ',')": labels,
    });
    for (const r of planned) expect(r.code, `${r.name}\n${r.stderr}`).toBe(0);
    expect(parsePlan(readFileSync(join(s.dir, 'plans/reviewed.plan.json'), 'utf8')).approvedHazards).toEqual(
      ALL_HAZARDS,
    );

    let runs = await runJob(APPLY, 'apply', s.dir, context);
    let apply = step(runs, 'Apply the reviewed plan');
    if (pgMajor() > 15) {
      // This machine's pg_dump (15) cannot dump a newer server: apply refuses before changing anything. The
      // workflow installs a matching client; here the same command runs again with --no-snapshot.
      expect(apply.code).toBe(1);
      expect(apply.stderr).toMatch(/pg_dump/);
      expect(await s.db.query("SELECT to_regclass('user_sessions') IS NOT NULL AS kept")).toEqual([
        { kept: true },
      ]);
      runs = await runJob(APPLY, 'apply', s.dir, context, { applyArgs: ['--no-snapshot'] });
      apply = step(runs, 'Apply the reviewed plan');
    }
    expect(apply.code, apply.stderr).toBe(0);
    expect(apply.stdout).toContain('verified: the database matches the plan');
    if (pgMajor() <= 15) expect(apply.stdout).toMatch(/snapshot: \S+\.tidemark\/snapshots\/\S+\.dump/);

    const nightly = await runJob(DRIFT, 'drift', s.dir, context);
    const drift = step(nightly, 'Compare production with schema/');
    expect(drift.code, drift.stdout + drift.stderr).toBe(0);
    expect(drift.stdout).not.toContain('::error');

    for (const t of KEPT) expect(await s.count(t), t).toBe(before.get(t));
    expect(await s.db.query("SELECT to_regclass('billing') AS b, to_regclass('user_sessions') AS u")).toEqual(
      [{ b: null, u: null }],
    );
    expect(await s.db.query("SELECT obj_description('session_activity'::regclass, 'pg_class') AS c")).toEqual(
      [{ c: 'Pages visited per session; the busiest table, read by time range' }],
    );
    // The view and the policy tidemark does not manage are still there.
    expect(await s.count('recent_activity')).toBeGreaterThanOrEqual(0);
    expect(await s.count("pg_policies WHERE policyname = 'security_logs_own'")).toBe(1);
  });

  it('nightly: drift fails the run with an annotation on the YAML line after a change made by hand', async () => {
    await s.db.query('DROP INDEX idx_session_activity_timestamp');
    const nightly = await runJob(DRIFT, 'drift', s.dir, context);
    const drift = step(nightly, 'Compare production with schema/');
    expect(drift.code).toBe(2);
    expect(drift.stdout).toMatch(
      /^::error file=[^,]*session_activity\.yaml,line=\d+,col=\d+,title=tidemark drift::index idx_session_activity_timestamp/m,
    );
  });
});
