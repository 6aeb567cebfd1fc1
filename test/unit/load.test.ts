import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { listSchemaFiles, loadDesiredState } from '../../src/load/index.js';
import type { DesiredState, LoadResult } from '../../src/load/types.js';

const root = join(import.meta.dirname, '..', '..');
const scratch = mkdtempSync(join(tmpdir(), 'tidemark-load-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

let n = 0;
/** A schema directory holding the given files; diagnostics name files relative to the scratch root. */
async function load(files: Record<string, string>, ignore: string[] = []): Promise<LoadResult> {
  const dir = join(scratch, `case${n++}`);
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return loadDesiredState(dir, { ignore, cwd: dir });
}

async function loadValid(files: Record<string, string>, ignore: string[] = []): Promise<DesiredState> {
  const r = await load(files, ignore);
  expect(r.diagnostics).toEqual([]);
  expect(r.state).not.toBeNull();
  return r.state!;
}

describe('schema/ (the example desired state)', () => {
  it('loads with no diagnostics and the expected objects', async () => {
    const r = await loadDesiredState('schema', { cwd: root });
    expect(r.diagnostics).toEqual([]);
    const s = r.state!;
    expect(s.tables).toHaveLength(17);
    expect(s.enums.map((e) => `${e.schema}.${e.name}`)).toEqual([
      'audit.log_action',
      'public.attendance_status',
      'public.document_kind',
      'public.invoice_status',
      'public.payment_method',
      'public.staff_role',
    ]);
    expect(s.sequences.map((q) => q.name)).toEqual(['invoice_number']);
    expect(s.extensions.map((e) => e.name)).toEqual(['citext', 'pgcrypto']);
    expect(s.schemas).toEqual(['audit', 'public']);
    expect(s.files[0]).toBe('alerts.yaml');
    expect(s.files).toContain('audit/security.yaml');
    expect(s.hash).toMatch(/^[0-9a-f]{64}$/);
    // Tables sorted by schema then name; audit columns merged in from the anchor.
    expect(s.tables[0]).toMatchObject({ schema: 'audit', name: 'change_events' });
    const staff = s.tables.find((t) => t.name === 'staff')!;
    expect(staff.columns.map((c) => c.name).slice(-3)).toEqual(['created_at', 'updated_at', 'created_by']);
    expect(staff.source).toEqual({ file: 'schema/staff.yaml', line: 10, col: 3 });
    // Every table has a primary key, and foreign keys with omitted columns point at it.
    expect(s.tables.filter((t) => t.primaryKey === null).map((t) => t.name)).toEqual([]);
    const guardians = s.tables.find((t) => t.name === 'child_guardians')!;
    expect(guardians.foreignKeys.map((f) => f.references.columns)).toEqual([['id'], ['id']]);
    // An enum of the audit schema used unqualified in that schema's file is qualified for the shadow database.
    const logs = s.tables.find((t) => t.name === 'security_logs')!;
    expect(logs.columns.find((c) => c.name === 'action')?.type).toBe('audit.log_action');
  });

  it('hashes paths and bytes: equal copies hash equal, one changed byte changes the hash', async () => {
    const a = join(scratch, 'copy-a');
    const b = join(scratch, 'copy-b');
    cpSync(join(root, 'schema'), a, { recursive: true });
    cpSync(join(root, 'schema'), b, { recursive: true });
    const ha = (await loadDesiredState(a)).state!.hash;
    expect((await loadDesiredState(b)).state!.hash).toBe(ha);
    writeFileSync(join(b, 'alerts.yaml'), '# a comment\n', { flag: 'a' });
    expect((await loadDesiredState(b)).state!.hash).not.toBe(ha);
  });
});

describe('normalisation', () => {
  it('names column shorthands as PostgreSQL would', async () => {
    const s = await loadValid({
      'a.yaml': `
tables:
  parents:
    columns:
      id: { type: bigint, identity: always, primaryKey: true }
  children:
    columns:
      id: { type: bigint, primaryKey: true }
      email: { type: text, unique: true }
      parent_id: { type: bigint, references: parents.id }
      age: { type: integer, check: age >= 0 }
`,
    });
    const t = s.tables.find((x) => x.name === 'children')!;
    expect(t.primaryKey).toMatchObject({ name: 'children_pkey', columns: ['id'] });
    expect(t.uniques.map((u) => u.name)).toEqual(['children_email_key']);
    expect(t.checks).toEqual([
      expect.objectContaining({
        name: 'children_age_check',
        expression: 'age >= 0',
        valid: true,
        noInherit: false,
      }),
    ]);
    expect(t.foreignKeys).toEqual([
      expect.objectContaining({
        name: 'children_parent_id_fkey',
        columns: ['parent_id'],
        references: { schema: 'public', table: 'parents', columns: ['id'] },
        onDelete: 'no action',
        onUpdate: 'no action',
        match: 'simple',
        deferrable: false,
        valid: true,
        comment: null,
        renamedFrom: [],
      }),
    ]);
    // Primary-key and identity columns are NOT NULL, as PostgreSQL makes them.
    const parents = s.tables.find((x) => x.name === 'parents')!;
    expect(parents.columns[0]).toMatchObject({ notNull: true, identity: { kind: 'always', options: {} } });
  });

  it('turns YAML numbers and booleans into SQL literals and keeps expressions as written', async () => {
    const s = await loadValid({
      'a.yaml': `
tables:
  t:
    columns:
      a: { type: integer, default: 0 }
      b: { type: boolean, default: true }
      c: { type: numeric, default: 1.5 }
      d: { type: text, default: "'x'", comment: hello, renamedFrom: old_d }
      e: { type: timestamptz, default: now(), renamedFrom: [e2, e1] }
`,
    });
    const cols = s.tables[0]!.columns;
    expect(cols.map((c) => c.default)).toEqual(['0', 'true', '1.5', "'x'", 'now()']);
    expect(cols.map((c) => c.renamedFrom)).toEqual([[], [], [], ['old_d'], ['e2', 'e1']]);
    expect(cols.map((c) => c.comment)).toEqual([null, null, null, 'hello', null]);
    expect(s.tables[0]!.primaryKey).toBeNull();
  });

  it('normalises index keys, orders and defaults', async () => {
    const s = await loadValid({
      'a.yaml': `
tables:
  t:
    columns:
      a: { type: text }
      b: { type: integer }
    indexes:
      t_z_idx:
        columns:
          - a
          - lower(a)
          - { column: b, order: desc, nulls: first }
          - { column: a, order: asc, nulls: first }
          - { expr: "b + 1", order: desc, nulls: last, opclass: int4_ops }
        include: [b]
        where: b > 0
      t_a_idx: { columns: [a], unique: true, method: btree }
`,
    });
    const [first, second] = s.tables[0]!.indexes;
    expect(first).toMatchObject({ name: 't_a_idx', unique: true, method: 'btree', include: [], where: null });
    expect(second).toMatchObject({
      name: 't_z_idx',
      unique: false,
      method: 'btree',
      include: ['b'],
      where: 'b > 0',
    });
    expect(second!.keys).toEqual([
      { column: 'a', expression: null, opclass: null, collation: null, order: 'asc', nulls: null },
      { column: null, expression: 'lower(a)', opclass: null, collation: null, order: 'asc', nulls: null },
      { column: 'b', expression: null, opclass: null, collation: null, order: 'desc', nulls: null },
      { column: 'a', expression: null, opclass: null, collation: null, order: 'asc', nulls: 'first' },
      {
        column: null,
        expression: 'b + 1',
        opclass: 'int4_ops',
        collation: null,
        order: 'desc',
        nulls: 'last',
      },
    ]);
  });

  it('merges files, applies each file’s schema, and qualifies that schema’s enums', async () => {
    const s = await loadValid({
      'app/types.yaml': 'schema: app\nenums:\n  kind: [a, b]\n',
      'app/things.yaml': `
schema: app
tables:
  things:
    columns:
      id: { type: bigint, primaryKey: true }
      kind: { type: kind }
      kinds: { type: "kind[]" }
      other: { type: public.mood }
  audit.things_log:
    columns:
      thing_id: { type: bigint, references: app.things.id }
`,
      'public.yaml': 'enums:\n  mood: [ok]\ntables:\n  p:\n    columns:\n      k: { type: kind }\n',
    });
    expect(s.schemas).toEqual(['app', 'audit', 'public']);
    expect(s.files).toEqual(['app/things.yaml', 'app/types.yaml', 'public.yaml']);
    const things = s.tables.find((t) => t.name === 'things')!;
    expect(things.columns.map((c) => c.type)).toEqual(['bigint', 'app.kind', 'app.kind[]', 'public.mood']);
    const log = s.tables.find((t) => t.name === 'things_log')!;
    expect(log.schema).toBe('audit');
    expect(log.foreignKeys[0]!.references).toEqual({ schema: 'app', table: 'things', columns: ['id'] });
    // A public file's unqualified type stays as written: search_path resolves it.
    expect(s.tables.find((t) => t.name === 'p')!.columns[0]!.type).toBe('kind');
  });

  it('reads enums, sequences and extensions with their options', async () => {
    const s = await loadValid({
      'types.yaml': `
extensions:
  - citext
  - { name: pg_trgm, schema: extensions, version: "1.6" }
enums:
  severity: { values: [low, high, critical], renamedFrom: level, renameValues: { critical: urgent }, comment: c }
sequences:
  big: { type: bigint, start: 10, maxValue: 9223372036854775807, cycle: true, ownedBy: t.id }
tables:
  t:
    columns:
      id: { type: bigint, identity: { kind: by default, start: 5, increment: 2, cache: 10 } }
`,
    });
    expect(s.extensions).toEqual([
      { name: 'citext', schema: 'public', version: null, source: { file: 'types.yaml', line: 3, col: 5 } },
      {
        name: 'pg_trgm',
        schema: 'extensions',
        version: '1.6',
        source: { file: 'types.yaml', line: 4, col: 5 },
      },
    ]);
    expect(s.schemas).toEqual(['extensions', 'public']);
    expect(s.enums[0]).toMatchObject({
      name: 'severity',
      values: ['low', 'high', 'critical'],
      renamedFrom: ['level'],
      valueRenames: { critical: 'urgent' },
      comment: 'c',
    });
    expect(s.sequences[0]).toMatchObject({
      name: 'big',
      options: { type: 'bigint', start: '10', max: '9223372036854775807', cycle: true },
      ownedBy: { table: 't', column: 'id' },
    });
    expect(s.tables[0]!.columns[0]!.identity).toEqual({
      kind: 'by default',
      options: { start: '5', increment: '2', cache: '10' },
    });
  });

  it('accepts a foreign key to an ignored table when its columns are written', async () => {
    const files = (refs: string) => ({
      'a.yaml': `
tables:
  t:
    columns:
      m: { type: text }
    foreignKeys:
      t_m_fkey: { columns: [m], references: { table: _prisma_migrations${refs} } }
`,
    });
    const ok = await loadValid(files(', columns: [id]'), ['public._prisma_migrations']);
    expect(ok.tables[0]!.foreignKeys[0]!.references.columns).toEqual(['id']);
    const noCols = await load(files(''), ['public._prisma_*']);
    expect(noCols.diagnostics.map((d) => d.code)).toEqual(['missing-reference-columns']);
    const notIgnored = await load(files(', columns: [id]'));
    expect(notIgnored.diagnostics.map((d) => d.code)).toEqual(['unknown-table']);
  });

  it('reports a warning without failing the load', async () => {
    const r = await load({
      'a.yaml': `
tables:
  p:
    columns:
      id: { type: bigint, primaryKey: true }
  c:
    columns:
      p_id: { type: bigint, notNull: true }
    foreignKeys:
      c_p_id_fkey: { columns: [p_id], references: { table: p }, onDelete: set null }
`,
    });
    expect(r.state).not.toBeNull();
    expect(r.diagnostics).toEqual([
      expect.objectContaining({
        severity: 'warning',
        code: 'set-null-on-not-null',
        file: 'a.yaml',
        line: 10,
      }),
    ]);
  });

  it('treats an empty directory and empty files as an empty desired state', async () => {
    const s = await loadValid({ 'empty.yaml': '', 'comment.yml': '# nothing yet\n' });
    expect(s.tables).toEqual([]);
    expect(s.schemas).toEqual([]);
    expect(s.files).toEqual(['comment.yml', 'empty.yaml']);
  });

  it('throws when the directory does not exist', async () => {
    await expect(loadDesiredState(join(scratch, 'nope'), { cwd: scratch })).rejects.toThrow(
      'schema directory nope does not exist',
    );
  });
});

describe('diagnostics', () => {
  it('reports every problem of every file in one run, sorted by file, line and column', async () => {
    const r = await load({
      'b.yaml': 'tables:\n  t2:\n    columns:\n      x: { type: text, nullable: true }\n',
      'a.yaml':
        'tables:\n  t1:\n    columns:\n      y: { type: 5 }\n      z: { type: text, default: "(1" }\n',
      'c.yaml': 'tables:\n\tbad: 1\n',
    });
    expect(r.state).toBeNull();
    expect(r.diagnostics.map((d) => `${d.file}:${d.line}:${d.col} ${d.code} ${d.path}`)).toEqual([
      'a.yaml:4:18 wrong-type tables.t1.columns.y.type',
      'a.yaml:5:36 sql-syntax tables.t1.columns.z.default',
      'b.yaml:4:24 unknown-key tables.t2.columns.x.nullable',
      'c.yaml:2:1 yaml-syntax ',
    ]);
  });

  it('points into multi-line block scalars at the character the parser stopped at', async () => {
    const r = await load({
      'a.yaml': `tables:
  t:
    columns:
      a: { type: integer }
    checks:
      t_a_check: |
        a > 0
          AND a IN 10
`,
    });
    expect(r.diagnostics).toEqual([
      expect.objectContaining({
        line: 8,
        col: 20,
        code: 'sql-syntax',
        message: expect.stringContaining('"10"'),
      }),
    ]);
  });
});

describe('foreign key targets', () => {
  const schema = (target: string, column: string) => ({
    'a.yaml': `
tables:
  p:
    columns:
      id: { type: bigint, primaryKey: true }
      code: { type: text, notNull: true }
${target}
  c:
    columns:
      x: { type: ${column} }
    foreignKeys:
      c_x_fkey: { columns: [x], references: { table: p, columns: [code] } }
`,
  });
  const codes = async (target: string, column = 'text') =>
    (await load(schema(target, column))).diagnostics.map((d) => d.code);

  it('accepts a unique constraint or a plain unique index as the target', async () => {
    expect(await codes('    unique: { p_code_key: [code] }')).toEqual([]);
    expect(await codes('    indexes: { p_code_idx: { columns: [code], unique: true } }')).toEqual([]);
  });

  it('refuses what PostgreSQL refuses: no key, a partial or deferrable one, incomparable types', async () => {
    expect(await codes('')).toEqual(['no-unique-target']);
    expect(
      await codes('    indexes: { p_code_idx: { columns: [code], unique: true, where: id > 0 } }'),
    ).toEqual(['no-unique-target']);
    expect(await codes('    unique: { p_code_key: { columns: [code], deferrable: deferred } }')).toEqual([
      'no-unique-target',
    ]);
    expect(await codes('    unique: { p_code_key: [code] }', 'uuid')).toEqual(['fk-type-mismatch']);
    expect(await codes('    unique: { p_code_key: [code] }', 'varchar(20)')).toEqual([]);
  });
});

describe('index methods', () => {
  it('accepts an access method an extension adds, and names a typo of a built-in one', async () => {
    const files = (method: string) => ({
      'a.yaml': `tables:\n  t:\n    columns:\n      v: { type: text }\n    indexes:\n      t_v_idx: { columns: [v], method: ${method} }\n`,
    });
    expect((await loadValid(files('hnsw'))).tables[0]!.indexes[0]!.method).toBe('hnsw');
    expect((await load(files('brinn'))).diagnostics.map((d) => d.hint)).toEqual(['did you mean "brin"?']);
  });
});

describe('column order', () => {
  it('is the written order, merged columns where their << stands, even for names that look like numbers', async () => {
    const s = await loadValid({
      'a.yaml': `
x-audit: &audit
  created_at: { type: timestamptz }
  "10": { type: text }
tables:
  t:
    columns:
      b: { type: text }
      "2": { type: integer }
      <<: *audit
      "1": { type: integer }
      created_at: { type: timestamptz, notNull: true }
`,
    });
    const t = s.tables[0]!;
    expect(t.columns.map((c) => c.name)).toEqual(['b', '2', 'created_at', '10', '1']);
    // The column written next to << overrides the merged one but keeps the merged position.
    expect(t.columns[2]).toMatchObject({ name: 'created_at', notNull: true });
  });
});

describe('managed schemas', () => {
  it('reports objects outside the configured schemas, once per schema', async () => {
    const files = {
      'a.yaml':
        'schema: audit\ntables:\n  e1:\n    columns:\n      id: { type: bigint }\n  e2:\n    columns:\n      id: { type: bigint }\n',
      'b.yaml': 'tables:\n  p:\n    columns:\n      id: { type: bigint }\n',
    };
    const dir = join(scratch, 'managed');
    for (const [name, text] of Object.entries(files)) {
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, name), text);
    }
    const r = await loadDesiredState(dir, { cwd: dir, schemas: ['public'] });
    expect(r.diagnostics.map((d) => [d.code, d.file, d.line, d.message])).toEqual([
      [
        'unmanaged-schema',
        'a.yaml',
        3,
        'audit.e1 is in schema audit, which the configuration does not manage',
      ],
    ]);
    expect((await loadDesiredState(dir, { cwd: dir, schemas: ['public', 'audit'] })).state).not.toBeNull();
    expect((await loadDesiredState(dir, { cwd: dir, schemas: null })).state).not.toBeNull();
  });
});

describe('file names', () => {
  const tree = {
    'c.yml': 'tables:\n  c: { columns: { id: { type: int } } }\n',
    'sub/deeper/a.yaml': 'tables: [unclosed\n',
    '.hidden/b.yaml': 'not: [valid\n',
    'notes.txt': 'ignored',
  };

  it('lists YAML files in nested directories as sorted POSIX paths, skipping hidden entries', async () => {
    const dir = join(scratch, `case${n++}`);
    for (const [name, text] of Object.entries(tree)) {
      mkdirSync(join(dir, name, '..'), { recursive: true });
      writeFileSync(join(dir, name), text);
    }
    expect(listSchemaFiles(dir)).toEqual(['c.yml', 'sub/deeper/a.yaml']);
  });

  it('shows each file relative to the working directory, wherever that is', async () => {
    const dir = join(scratch, `case${n++}`, 'schema');
    for (const [name, text] of Object.entries(tree)) {
      mkdirSync(join(dir, name, '..'), { recursive: true });
      writeFileSync(join(dir, name), text);
    }
    mkdirSync(join(dir, '..', 'elsewhere'));
    const fileOf = async (cwd: string) =>
      (await loadDesiredState(dir, { cwd })).diagnostics.map((d) => d.file);
    expect(await fileOf(dir)).toEqual(['sub/deeper/a.yaml']);
    expect(await fileOf(join(dir, '..'))).toEqual(['schema/sub/deeper/a.yaml']);
    expect(await fileOf(join(dir, '..', 'elsewhere'))).toEqual(['../schema/sub/deeper/a.yaml']);
    expect(await fileOf(join(dir, 'sub'))).toEqual(['deeper/a.yaml']);
  });
});
