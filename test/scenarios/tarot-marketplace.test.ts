import { readFileSync } from 'node:fs';
import { join } from 'node:path';
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
 * Seed 001, the tarot-reading marketplace: foreign keys with CASCADE and SET NULL from every user-owned table,
 * indexes built concurrently, four backup tables dropped only after counting their rows, and a migration_log
 * table for the hand-written log_migration_step() function tidemark does not manage.
 */

const BACKUPS = ['chat_messages_backup', 'chat_sessions_backup', 'voice_notes_backup', 'messages_backup'];
const BACKUP_ROWS: Record<string, number> = {
  chat_messages_backup: 30,
  chat_sessions_backup: 10,
  voice_notes_backup: 12,
  messages_backup: 18,
};
const KEPT = [
  'users',
  'user_roles',
  'profiles',
  'wallets',
  'payments',
  'services',
  'bookings',
  'reading_sessions',
  'tarot_decks',
  'tarot_spreads',
  'chat_sessions',
  'chat_messages',
  'notifications',
  'backup_logs',
];
const HAZARDS = 'DELETES_DATA,FULL_SCAN,INDEX_BUILD,NON_TRANSACTIONAL';

describe('scenario: tarot marketplace', { timeout: 300_000 }, () => {
  let s: Scenario;
  let first: Plan;
  const before = new Map<string, number>();

  beforeAll(async () => {
    s = await openScenario('tarot-marketplace');
    for (const t of KEPT) before.set(t, await s.count(t));
  });
  afterAll(async () => {
    await s?.close();
  });

  it('pulls 19 tables and the uuid-ossp extension, and names the function it leaves alone', async () => {
    const pulled = await expectExit(s.cli('pull', '--out', 'schema'), 0);
    expect(pulled.stdout).toContain('20 files written: 19 tables');
    expect(pulled.stdout).toContain('function public."log_migration_step(');
    expect(readFileSync(join(s.schemaDir, 'types.yaml'), 'utf8')).toContain('uuid-ossp');
  });

  it('plans foreign keys NOT VALID then validated, indexes concurrently, and counts each backup before dropping it', async () => {
    editToAfter(
      s,
      BACKUPS.map((t) => `${t}.yaml`),
    );
    first = parsePlan((await expectExit(s.cli('plan', '--format', 'json'), 0)).stdout);

    expect(first.unmanaged.map((u) => `${u.kind} ${u.name}`)).toEqual([
      'function log_migration_step(migration_name text, step_name text, status text, rows_affected integer, error_message text, metadata jsonb)',
    ]);
    for (const t of BACKUPS) {
      const drop = stepFor(first, 'table.drop', `public.${t}`);
      expect(drop.hazards).toContainEqual(
        expect.objectContaining({
          code: 'DELETES_DATA',
          message: expect.stringContaining(`~${BACKUP_ROWS[t]} rows`),
        }),
      );
    }
    expect(
      steps(first).some((x) => x.change === 'table.drop' && x.target.name === 'public.backup_logs'),
    ).toBe(false);

    const fks = steps(first).filter((x) => x.change === 'fk.add');
    expect(fks).toHaveLength(16);
    for (const fk of fks) {
      expect(fk.sql, fk.target.name).toMatch(/ NOT VALID$/);
      stepFor(first, 'fk.validate', fk.target.name);
    }
    expect(stepFor(first, 'fk.add', 'public.bookings.fk_bookings_reader_id').sql).toContain(
      'ON DELETE SET NULL',
    );
    expect(stepFor(first, 'fk.add', 'public.bookings.fk_bookings_user_id').sql).toContain(
      'ON DELETE CASCADE',
    );

    const indexes = steps(first).filter((x) => x.change === 'index.create');
    const concurrent = indexes.filter((x) => x.sql.startsWith('CREATE INDEX CONCURRENTLY '));
    expect(concurrent).toHaveLength(20);
    // The new migration_log table is empty: its index is built in the plain, fastest form.
    expect(indexes.filter((x) => !concurrent.includes(x)).map((x) => x.target.name)).toEqual([
      'public.idx_migration_log_migration_name',
    ]);
    expect(stepFor(first, 'table.create', 'public.migration_log').sql).toContain('uuid_generate_v4()');
  });

  it('prechecks find the bookings of closed reader accounts and the transactions of deleted wallets', () => {
    const readers = stepFor(first, 'fk.validate', 'public.bookings.fk_bookings_reader_id');
    expect(readers.precheck).toMatchObject({ kind: 'orphans', count: 10 });
    expect(readers.hazards.map((h) => h.code)).toContain('WILL_FAIL_ON_DATA');
    const wallets = stepFor(
      first,
      'fk.validate',
      'public.wallet_transactions.fk_wallet_transactions_wallet_id',
    );
    expect(wallets.precheck).toMatchObject({ kind: 'orphans', count: 9 });
    const failing = steps(first).filter((x) => x.hazards.some((h) => h.code === 'WILL_FAIL_ON_DATA'));
    expect(failing.map((x) => x.target.name).sort()).toEqual([
      'public.bookings.fk_bookings_reader_id',
      'public.wallet_transactions.fk_wallet_transactions_wallet_id',
    ]);
  });

  it('after the orphans are handled as the new rules would have, applies and keeps every other row', async () => {
    // What SET NULL and CASCADE would have done had the keys existed when the rows went away; then ANALYZE,
    // as after any such fix: otherwise the plan's row estimates are the counts before it or after it,
    // depending on whether autovacuum got there first.
    await s.db.query(`
      UPDATE bookings b SET reader_id = NULL WHERE NOT EXISTS (SELECT 1 FROM users u WHERE u.id = b.reader_id);
      DELETE FROM wallet_transactions t WHERE NOT EXISTS (SELECT 1 FROM wallets w WHERE w.id = t.wallet_id);
      ANALYZE bookings, wallet_transactions;`);

    const planned = await expectExit(
      s.cli(
        'plan',
        '--out',
        'plans/high-priority-fixes.plan.json',
        '--format',
        'markdown',
        '--allow-hazards',
        HAZARDS,
      ),
      0,
    );
    expectGoldenPlan('tarot-marketplace', planned.stdout);
    const applied = await expectExit(
      s.cli('apply', '--plan', 'plans/high-priority-fixes.plan.json', '--yes', ...snapshotArgs()),
      0,
    );
    expectSnapshot(s, applied.stdout);
    expect(applied.stdout).toContain('verified: the database matches the plan');
    const drift = await expectExit(s.cli('drift'), 0);
    expect(drift.stdout).toContain('No drift');
    expect(drift.stdout).toContain('function public.log_migration_step');

    for (const t of KEPT) expect(await s.count(t), t).toBe(before.get(t));
    expect(await s.count('wallet_transactions')).toBe(90);
    for (const t of BACKUPS)
      expect(await s.db.query(`SELECT to_regclass('${t}') AS t`)).toEqual([{ t: null }]);
    expect(
      await s.db.query<{ n: number }>(
        "SELECT count(*)::int AS n FROM pg_constraint WHERE contype = 'f' AND convalidated AND connamespace = 'public'::regnamespace",
      ),
    ).toEqual([{ n: 17 }]);

    // The hand-written function now has its table, and the new rules hold.
    await s.db.query("SELECT log_migration_step('high-priority-fixes', 'apply', 'completed', 58)");
    expect(await s.count('migration_log')).toBe(1);
    await s.db.query("DELETE FROM users WHERE id = md5('user30')::uuid");
    for (const t of ['wallets', 'payments', 'bookings', 'notifications', 'chat_sessions']) {
      expect(await s.count(`${t} WHERE user_id = md5('user30')::uuid`), t).toBe(0);
    }
  });
});
