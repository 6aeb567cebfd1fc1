import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { executePlanSql, planAgainst } from '../helpers/converge.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';

/** `tidemark drift` against a database built from the example schema/, then changed behind the tool's back. */
describe('tidemark drift', () => {
  let db: TestDatabase;
  let dir: string;
  beforeAll(async () => {
    db = await createTestDatabase('drift');
    dir = mkdtempSync(join(tmpdir(), 'tidemark-drift-'));
    cpSync('schema', join(dir, 'schema'), { recursive: true });
    const { plan } = await planAgainst(db.url, join(dir, 'schema'));
    await executePlanSql(db.url, plan);
  });
  afterAll(async () => {
    await db.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  const drift = (...args: string[]) =>
    runCli(['drift', '--db', db.url, '--schema-dir', join(dir, 'schema'), ...args]);

  it('exits 0 and says so when the database matches schema/', async () => {
    const r = await drift();
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('No drift');
  });

  it('exits 2 and names each difference with its YAML line after out-of-band changes', async () => {
    await db.query(`
      ALTER TABLE children ALTER COLUMN parent_id DROP NOT NULL;
      DROP INDEX children_parent_id_idx;
      CREATE INDEX children_first_name_idx ON children (first_name);
      ALTER TABLE children ADD CONSTRAINT children_extra_fkey FOREIGN KEY (created_by) REFERENCES staff (id);`);
    const r = await drift();
    expect(r.code).toBe(2);
    expect(r.stdout).toMatch(
      /families\.yaml:\d+:\d+: column public\.children\.parent_id is nullable in the database, NOT NULL in .*families\.yaml:\d+/,
    );
    expect(r.stdout).toContain(
      'index children_parent_id_idx on public.children is missing from the database',
    );
    expect(r.stdout).toContain(
      'index children_first_name_idx on public.children exists in the database but not as written in schema/',
    );
    expect(r.stdout).toContain('foreign key children_extra_fkey on public.children exists in the database');
  });

  it('reports the same differences as JSON, Markdown and GitHub annotations', async () => {
    const json = await drift('--format', 'json');
    expect(json.code).toBe(2);
    const parsed = JSON.parse(json.stdout) as {
      drift: boolean;
      differences: { message: string; source: unknown }[];
    };
    expect(parsed.drift).toBe(true);
    expect(parsed.differences).toHaveLength(4);

    const md = await drift('--format', 'markdown');
    expect(md.code).toBe(2);
    expect(md.stdout).toContain('**4 differences**');

    const gh = await drift('--format', 'github');
    expect(gh.code).toBe(2);
    const annotations = gh.stdout.split('\n').filter((l) => l.startsWith('::error'));
    expect(annotations).toHaveLength(4);
    expect(annotations.find((l) => l.includes('parent_id is nullable'))).toMatch(
      /^::error file=[^,]*families\.yaml,line=\d+,col=\d+,title=tidemark drift::/,
    );
  });

  it('lists unmanaged objects and exits 1 on a database it cannot reach', async () => {
    await db.query('CREATE VIEW active_children AS SELECT id FROM children WHERE archived_at IS NULL');
    const r = await drift();
    expect(r.stdout).toContain('view public.active_children');
    const bad = await runCli([
      'drift',
      '--db',
      'postgres://nobody:secret@127.0.0.1:1/none',
      '--schema-dir',
      join(dir, 'schema'),
    ]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('cannot connect');
    expect(bad.stderr).not.toContain('secret');
  });
});
