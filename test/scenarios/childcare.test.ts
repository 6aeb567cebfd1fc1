import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Plan } from '../../src/plan/types.js';
import {
  editToAfter,
  expectExit,
  expectGoldenPlan,
  expectSnapshot,
  hazardCodes,
  openScenario,
  parsePlan,
  type Scenario,
  snapshotArgs,
  stepFor,
  steps,
} from './scenario.js';

/**
 * Seed 000/003, the childcare centre (TotHub): a parent_id foreign key the schema never had, performance
 * indexes, a severity check that first needs the bad values fixed, audit and soft-delete columns with partial
 * indexes, a forgotten backup table, and the hand-written last_modified trigger tidemark leaves alone.
 */

const KEPT = [
  'parents',
  'staff',
  'children',
  'attendance',
  'alerts',
  'messages',
  'security_logs',
  'documents',
  'billing',
];
const HAZARDS = 'BACKFILL,DELETES_DATA,FULL_SCAN,INDEX_BUILD,NON_TRANSACTIONAL';

describe('scenario: childcare centre', { timeout: 300_000 }, () => {
  let s: Scenario;
  let first: Plan;
  const before = new Map<string, number>();

  beforeAll(async () => {
    s = await openScenario('childcare');
    for (const t of KEPT) before.set(t, await s.count(t));
  });
  afterAll(async () => {
    await s?.close();
  });

  it('pulls the live database into YAML that validates and shows no drift', async () => {
    const pulled = await expectExit(s.cli('pull', '--out', 'schema'), 0);
    expect(pulled.stdout).toContain('trigger security_credentials_touch on public.security_credentials');
    await expectExit(s.cli('validate'), 0);
    const drift = await expectExit(s.cli('drift'), 0);
    expect(drift.stdout).toContain('trigger public.security_credentials_touch');
  });

  it('plans the edited YAML: backup drop with its row count, concurrent indexes, NOT VALID then VALIDATE', async () => {
    editToAfter(s, ['children_backup_2024.yaml']);
    first = parsePlan((await expectExit(s.cli('plan', '--format', 'json'), 0)).stdout);

    expect(first.unmanaged.map((u) => `${u.kind} ${u.name}`).sort()).toEqual([
      'function touch_last_modified()',
      'trigger security_credentials_touch',
    ]);

    const drop = stepFor(first, 'table.drop', 'public.children_backup_2024');
    expect(drop.hazards).toContainEqual(
      expect.objectContaining({
        code: 'DELETES_DATA',
        severity: 'high',
        message: expect.stringContaining('~25 rows'),
      }),
    );

    const indexes = steps(first).filter((x) => x.change === 'index.create');
    expect(indexes.map((x) => x.target.name).sort()).toEqual([
      'public.alerts_child_id_idx',
      'public.child_schedules_child_id_idx',
      'public.children_active_idx',
      'public.children_parent_id_idx',
      'public.idx_attendance_child_date',
      'public.idx_attendance_date',
      'public.idx_billing_status_due_date',
      'public.idx_documents_expires_on',
      'public.idx_messages_recipient_id',
      'public.idx_messages_sender_id',
      'public.idx_security_logs_timestamp',
    ]);
    for (const x of indexes) {
      expect(x.sql).toMatch(/^CREATE INDEX CONCURRENTLY /);
      expect(x.transactional).toBe(false);
    }
    expect(stepFor(first, 'index.create', 'public.children_active_idx').sql).toMatch(
      /WHERE \(?archived_at IS NULL\)?$/,
    );

    const fk = stepFor(first, 'fk.add', 'public.children.children_parent_id_fkey');
    expect(fk.sql).toMatch(/REFERENCES (public\.)?parents ?\(id\) ON DELETE RESTRICT NOT VALID$/);
    expect(stepFor(first, 'fk.validate', 'public.children.children_parent_id_fkey').lock).toBe(
      'SHARE UPDATE EXCLUSIVE',
    );
    expect(stepFor(first, 'check.add', 'public.alerts.alerts_severity_check').sql).toMatch(/NOT VALID$/);
    // is_active becomes NOT NULL after the backfill, without a scan under ACCESS EXCLUSIVE.
    expect(stepFor(first, 'column.backfill', 'public.children.is_active').sql).toBe(
      'UPDATE public.children SET is_active = true WHERE is_active IS NULL',
    );
  });

  it('prechecks report the orphan schedules and the invalid severities before anything runs', () => {
    const validateFk = stepFor(first, 'fk.validate', 'public.child_schedules.child_schedules_child_id_fkey');
    expect(validateFk.precheck).toMatchObject({ kind: 'orphans', count: 15 });
    expect(validateFk.precheck?.examples.length).toBeGreaterThan(0);
    expect(validateFk.hazards.map((h) => h.code)).toContain('WILL_FAIL_ON_DATA');

    const validateCheck = stepFor(first, 'check.validate', 'public.alerts.alerts_severity_check');
    expect(validateCheck.precheck).toMatchObject({ kind: 'violations', count: 15 });
    expect(validateCheck.hazards.map((h) => h.code)).toContain('WILL_FAIL_ON_DATA');

    const backfill = stepFor(first, 'column.backfill', 'public.children.is_active');
    expect(backfill.precheck).toMatchObject({ kind: 'nulls', count: 5 });
  });

  it('after the data is fixed, applies the saved plan with a snapshot and converges with every row kept', async () => {
    // What the precheck messages ask for: remove the schedules of deleted children, map the free-text severities.
    await s.db.query(`
      DELETE FROM child_schedules s WHERE NOT EXISTS (SELECT 1 FROM children c WHERE c.id = s.child_id);
      UPDATE alerts SET severity = CASE lower(severity) WHEN 'urgent' THEN 'critical' WHEN 'high' THEN 'high' ELSE 'medium' END
       WHERE severity NOT IN ('low', 'medium', 'high', 'critical');`);

    const planned = await expectExit(
      s.cli('plan', '--out', 'plans/childcare.plan.json', '--format', 'markdown', '--allow-hazards', HAZARDS),
      0,
    );
    expectGoldenPlan('childcare', planned.stdout);
    expect(planned.stdout).toContain(
      'table public.children_backup_2024 and all its rows are deleted (~25 rows',
    );
    expect(planned.stdout).toContain('trigger `public.security_credentials_touch`');

    const applied = await expectExit(
      s.cli(
        'apply',
        '--plan',
        'plans/childcare.plan.json',
        '--yes',
        '--allow-hazards',
        HAZARDS,
        ...snapshotArgs(),
      ),
      0,
    );
    expect(applied.stdout).toContain('verified: the database matches the plan');
    expectSnapshot(s, applied.stdout);

    const drift = await expectExit(s.cli('drift'), 0);
    expect(drift.stdout).toContain('No drift');

    for (const t of KEPT) expect(await s.count(t), t).toBe(before.get(t));
    expect(await s.count('child_schedules')).toBe(200);
    expect(await s.db.query("SELECT to_regclass('children_backup_2024') AS t")).toEqual([{ t: null }]);
    expect(await s.count('children WHERE is_active IS NULL')).toBe(0);

    // The trigger tidemark does not manage still runs.
    const [row] = await s.db.query<{ moved: boolean }>(`
      UPDATE security_credentials SET last_modified = now() - interval '1 day' WHERE id = 1;
      UPDATE security_credentials SET pin = '9999' WHERE id = 1 RETURNING last_modified > now() - interval '1 hour' AS moved`);
    expect(row?.moved).toBe(true);
  });

  it('saved only the approved hazards, none of them a failing precheck', () => {
    const saved = parsePlan(readFileSync(join(s.dir, 'plans/childcare.plan.json'), 'utf8'));
    expect(saved.approvedHazards.join(',')).toBe(HAZARDS);
    expect(hazardCodes(saved)).toEqual(HAZARDS.split(','));
  });
});
