import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
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
 * Seed 002, the reports SaaS: its "verification" (20 tables, 95 indexes, 20 foreign keys counted by hand) is
 * `tidemark drift`. After the schema is pulled and committed, an index dropped and a foreign key added by hand
 * are caught, named with their YAML lines, and repaired by a reviewed plan.
 */

const TABLES = ['organizations', 'users', 'reports', 'subscriptions', 'trial_tokens', 'auth_attempts'];

describe('scenario: reports SaaS drift detection', { timeout: 300_000 }, () => {
  let s: Scenario;
  const before = new Map<string, number>();

  beforeAll(async () => {
    s = await openScenario('reports-saas');
    for (const t of TABLES) before.set(t, await s.count(t));
    // Prisma's bookkeeping table belongs to Prisma.
    writeFileSync(join(s.dir, 'tidemark.yaml'), 'ignore: [public._prisma_migrations]\n');
  });
  afterAll(async () => {
    await s?.close();
  });

  it('pulls the schema, leaving the ignored Prisma table out, and drift confirms it matches', async () => {
    await expectExit(s.cli('pull', '--out', 'schema'), 0);
    expect(existsSync(join(s.schemaDir, '_prisma_migrations.yaml'))).toBe(false);
    expect(readFileSync(join(s.schemaDir, 'reports.yaml'), 'utf8')).toContain('idx_reports_author_id');

    const drift = await expectExit(s.cli('drift', '--format', 'json'), 0);
    const report = JSON.parse(drift.stdout) as {
      drift: boolean;
      differences: unknown[];
      unmanaged: unknown[];
    };
    expect(report.drift).toBe(false);
    expect(report.differences).toEqual([]);
    expect(JSON.stringify(report.unmanaged)).toContain('reports_created_at');
  });

  it('catches an index dropped and a foreign key added by hand, in every format', async () => {
    await s.db.query(`
      DROP INDEX idx_reports_author_id;
      ALTER TABLE auth_attempts ADD CONSTRAINT auth_attempts_email_fkey FOREIGN KEY (email) REFERENCES users (email);`);

    const text = await expectExit(s.cli('drift'), 2);
    expect(text.stdout).toMatch(
      /reports\.yaml:\d+:\d+: index idx_reports_author_id on public\.reports is missing from the database/,
    );
    expect(text.stdout).toContain(
      'foreign key auth_attempts_email_fkey on public.auth_attempts exists in the database',
    );

    const github = await expectExit(s.cli('drift', '--format', 'github'), 2);
    const annotations = github.stdout.split('\n').filter((l) => l.startsWith('::error'));
    expect(annotations).toHaveLength(2);
    expect(annotations.find((l) => l.includes('idx_reports_author_id'))).toMatch(
      /^::error file=[^,]*reports\.yaml,line=\d+,col=\d+,title=tidemark drift::/,
    );
  });

  it('repairs the drift with a reviewed plan: the index rebuilt concurrently, the stray key dropped', async () => {
    const planned = await expectExit(
      s.cli(
        'plan',
        '--out',
        'plans/repair-drift.plan.json',
        '--format',
        'markdown',
        '--allow-hazards',
        'INDEX_BUILD,NON_TRANSACTIONAL',
        '--detailed-exitcode',
      ),
      2,
    );
    const plan = parsePlan(readFileSync(join(s.dir, 'plans/repair-drift.plan.json'), 'utf8'));
    expect(steps(plan).map((x) => `${x.change} ${x.target.name}`)).toEqual([
      'fk.drop public.auth_attempts.auth_attempts_email_fkey',
      'index.create public.idx_reports_author_id',
    ]);
    expect(stepFor(plan, 'index.create', 'public.idx_reports_author_id').sql).toMatch(
      /^CREATE INDEX CONCURRENTLY /,
    );
    expectGoldenPlan('reports-saas', planned.stdout);
    const applied = await expectExit(
      s.cli('apply', '--plan', 'plans/repair-drift.plan.json', '--yes', ...snapshotArgs()),
      0,
    );
    expectSnapshot(s, applied.stdout);
    await expectExit(s.cli('drift'), 0);
    for (const t of TABLES) expect(await s.count(t), t).toBe(before.get(t));
    expect(await s.count('_prisma_migrations')).toBe(1);
  });
});
