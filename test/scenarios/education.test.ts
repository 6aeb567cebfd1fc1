import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Plan } from '../../src/plan/types.js';
import {
  editToAfter,
  expectExit,
  expectGoldenPlan,
  expectSnapshot,
  openScenario,
  parsePlan,
  type Scenario,
  snapshotArgs,
  stepFor,
  steps,
} from './scenario.js';

/**
 * Seed 004, the education app: a role enum added as a NOT NULL column with a backfill, an audit_log table for a
 * hand-written trigger function, regex and range checks, a composite unique key, composite indexes, and
 * foreign keys changed to cascade.
 */

const TABLES = ['user_info', 'sec_acc', 'assn', 'subm'];
const HAZARDS = 'BACKFILL,FULL_SCAN,INDEX_BUILD,NON_TRANSACTIONAL';
const EMAIL_RE = '^[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\\.[A-Za-z]{2,}$';

describe('scenario: education app', { timeout: 300_000 }, () => {
  let s: Scenario;
  let first: Plan;
  const before = new Map<string, number>();

  beforeAll(async () => {
    s = await openScenario('education');
    for (const t of TABLES) before.set(t, await s.count(t));
  });
  afterAll(async () => {
    await s?.close();
  });

  it('plans the role column as add nullable, backfill, prove, set NOT NULL; checks and keys online', async () => {
    await expectExit(s.cli('pull', '--out', 'schema'), 0);
    editToAfter(s, []);
    first = parsePlan((await expectExit(s.cli('plan', '--format', 'json'), 0)).stdout);
    expect(first.unmanaged.map((u) => `${u.kind} ${u.name}`)).toEqual(['function audit_row_change()']);

    const role = steps(first)
      .filter((x) => x.target.name === 'public.user_info.role')
      .map((x) => x.change);
    expect(role).toEqual([
      'column.add',
      'column.backfill',
      'column.not-null-check',
      'column.not-null-validate',
      'column.set-not-null',
    ]);
    expect(stepFor(first, 'column.add', 'public.user_info.role').sql).toBe(
      'ALTER TABLE public.user_info ADD COLUMN role user_roles',
    );
    expect(stepFor(first, 'column.backfill', 'public.user_info.role').sql).toContain(
      "CASE WHEN username LIKE 'prof\\_%' THEN 'instructor'::user_roles",
    );

    // Changing ON DELETE is a drop and a re-add that is validated without blocking writes.
    expect(stepFor(first, 'fk.drop', 'public.subm.subm_user_id_fkey').sql).toContain('DROP CONSTRAINT');
    expect(stepFor(first, 'fk.add', 'public.subm.subm_user_id_fkey').sql).toMatch(
      /ON DELETE CASCADE NOT VALID$/,
    );

    const unique = stepFor(first, 'index.create', 'public.sections_code_year_semester_key');
    expect(unique.sql).toMatch(
      /^CREATE UNIQUE INDEX CONCURRENTLY sections_code_year_semester_key ON public\.sections .*\(section_code, academic_year, semester\)/,
    );
    expect(stepFor(first, 'unique.add', 'public.sections.sections_code_year_semester_key').sql).toContain(
      'USING INDEX sections_code_year_semester_key',
    );
    for (const name of ['idx_submission_user_assn', 'idx_assn_date_range', 'idx_user_section']) {
      expect(stepFor(first, 'index.create', `public.${name}`).sql).toMatch(/^CREATE INDEX CONCURRENTLY /);
    }
    expect(stepFor(first, 'table.create', 'public.audit_log').sql).toContain('GENERATED ALWAYS AS IDENTITY');
  });

  it('prechecks find the duplicated section, malformed e-mails, negative scores and the inverted date range', () => {
    const failing = steps(first)
      .filter((x) => x.hazards.some((h) => h.code === 'WILL_FAIL_ON_DATA'))
      .map((x) => `${x.target.name} ${x.precheck?.kind} ${x.precheck?.count}`)
      .sort();
    expect(failing).toEqual([
      'public.assn.assn_date_range_check violations 1',
      'public.sections_code_year_semester_key duplicates 1',
      'public.subm.subm_score_check violations 6',
      'public.user_info.user_info_email_check violations 4',
    ]);
    expect(
      stepFor(first, 'check.validate', 'public.user_info.user_info_email_check').precheck?.examples,
    ).toContain('user_id=u10');
  });

  it('after the data is cleaned, applies, keeps every row and the new rules hold', async () => {
    await s.db.query(`
      DELETE FROM sections WHERE section_id = 5;
      UPDATE user_info SET email = regexp_replace(email, ' at (\\w+)$', '@\\1.example') WHERE email !~* '${EMAIL_RE}';
      UPDATE subm SET score = 0 WHERE score < 0;
      UPDATE assn SET end_epoch = start_epoch + 604800 WHERE end_epoch <= start_epoch;`);

    const planned = await expectExit(
      s.cli(
        'plan',
        '--out',
        'plans/improve-schema.plan.json',
        '--format',
        'markdown',
        '--allow-hazards',
        HAZARDS,
      ),
      0,
    );
    expectGoldenPlan('education', planned.stdout);
    const applied = await expectExit(
      s.cli('apply', '--plan', 'plans/improve-schema.plan.json', '--yes', ...snapshotArgs()),
      0,
    );
    expectSnapshot(s, applied.stdout);

    for (const t of TABLES) expect(await s.count(t), t).toBe(before.get(t));
    expect(await s.count('sections')).toBe(4);
    expect(
      await s.db.query('SELECT role::text, count(*)::int AS n FROM user_info GROUP BY role ORDER BY role'),
    ).toEqual([
      { role: 'instructor', n: 3 },
      { role: 'student', n: 37 },
    ]);
    expect(await s.count("user_info WHERE email = 'student10@school.example'")).toBe(1);
    await expect(s.db.query('UPDATE subm SET score = -1 WHERE subm_id = 1')).rejects.toThrow(
      /subm_score_check/,
    );
    await expect(
      s.db.query(
        "INSERT INTO sections (section_code, academic_year, semester, title) VALUES ('CS101', 2025, 'fall', 'again')",
      ),
    ).rejects.toThrow(/sections_code_year_semester_key/);

    // The team's trigger, created by hand as before, writes into the audit_log table tidemark made; drift
    // then shows the database converged, with the trigger listed as unmanaged.
    await s.db.query(`CREATE TRIGGER subm_audit AFTER INSERT OR UPDATE OR DELETE ON subm
      FOR EACH ROW EXECUTE FUNCTION audit_row_change()`);
    await s.db.query('UPDATE subm SET feedback = $1 WHERE subm_id = 1', ['Well argued']);
    expect(await s.count("audit_log WHERE table_name = 'subm' AND action = 'UPDATE'")).toBe(1);
    const drift = await expectExit(s.cli('drift'), 0);
    expect(drift.stdout).toContain('trigger public.subm_audit');

    // Cascades: a student removed takes their submissions and section access along.
    await s.db.query("DELETE FROM user_info WHERE user_id = 'u4'");
    expect(await s.count("subm WHERE user_id = 'u4'")).toBe(0);
    expect(await s.count("sec_acc WHERE user_id = 'u4'")).toBe(0);
  });
});
