import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { loadDesiredState } from '../../src/load/index.js';
import type { Identity, Sequence, Table } from '../../src/model/types.js';
import { modelToYaml } from '../../src/pull/model-to-yaml.js';
import { writePulledFiles } from '../../src/pull/write-files.js';
import { column, index, key, result, table } from './pull-model-fixtures.js';

const ROOT = join(import.meta.dirname, '../..');
const jsonSchema = JSON.parse(readFileSync(join(ROOT, 'tidemark.schema.json'), 'utf8'));
const validate = new Ajv({ strict: false, allErrors: true }).compile(jsonSchema);

const identity = (kind: Identity['kind'], options: Partial<Identity['options']> = {}): Identity => ({
  kind,
  options: {
    start: '1',
    increment: '1',
    min: '1',
    max: '9223372036854775807',
    cache: '1',
    cycle: false,
    ...options,
  },
});

function sequence(name: string, extra: Partial<Sequence> = {}): Sequence {
  return {
    schema: 'public',
    name,
    type: 'bigint',
    start: '1',
    increment: '1',
    min: '1',
    max: '9223372036854775807',
    cache: '1',
    cycle: false,
    ownedBy: null,
    comment: null,
    ...extra,
  };
}

const children: Table = table(
  'public',
  'children',
  [
    column('id', 'bigint', { notNull: true, identity: identity('always') }),
    column('parent_id', 'bigint', { notNull: true }),
    column('status', 'text', {
      notNull: true,
      default: "'active'::text",
      comment: 'one of\nactive, withdrawn',
    }),
  ],
  {
    comment: 'Kids',
    primaryKey: { name: 'children_pkey', columns: ['id'], comment: null },
    checks: [
      {
        name: 'children_status_check',
        expression: "status = ANY (ARRAY['active'::text, 'withdrawn'::text])",
        noInherit: false,
        valid: false,
        comment: null,
      },
    ],
    foreignKeys: [
      {
        name: 'children_parent_id_fkey',
        columns: ['parent_id'],
        references: { schema: 'public', table: 'parents', columns: ['id'] },
        onDelete: 'cascade',
        onUpdate: 'no action',
        match: 'simple',
        deferrable: false,
        valid: true,
        comment: null,
      },
    ],
    indexes: [index('children_parent_id_idx', [key('parent_id')], { where: 'status <> $$x$$' })],
  },
);

describe('modelToYaml', () => {
  it('writes a readable file per table with named constraints and flow-style columns', () => {
    const files = modelToYaml(result({ tables: [children] }));
    expect([...files.keys()]).toEqual(['children.yaml']);
    expect(files.get('children.yaml')).toBe(
      `# yaml-language-server: $schema=../node_modules/tidemark/tidemark.schema.json
schema: public
tables:
  children:
    comment: Kids
    columns:
      id: { type: bigint, notNull: true, identity: always }
      parent_id: { type: bigint, notNull: true }
      status: { type: text, notNull: true, default: "'active'::text", comment: "one of\\nactive, withdrawn" }
    primaryKey: { name: children_pkey, columns: [id] }
    checks:
      # NOT VALID in the database: this check is not yet checked against existing rows.
      # The YAML cannot say so; it describes the validated constraint.
      children_status_check: "status = ANY (ARRAY['active'::text, 'withdrawn'::text])"
    foreignKeys:
      children_parent_id_fkey:
        columns: [parent_id]
        references: { table: parents, columns: [id] }
        onDelete: cascade
    indexes:
      children_parent_id_idx: { columns: [parent_id], where: status <> $$x$$ }
`,
    );
  });

  it('is deterministic whatever the order of the keyed lists it is given', () => {
    const t2 = table('public', 'b', [column('x', 'int')]);
    const t3 = table('audit', 'a', [column('y', 'int')]);
    const a = result({
      tables: [children, t2, t3],
      schemas: [
        { name: 'audit', comment: null },
        { name: 'public', comment: null },
      ],
    });
    const b = result({
      tables: [t3, t2, children],
      schemas: [
        { name: 'public', comment: null },
        { name: 'audit', comment: null },
      ],
    });
    expect(modelToYaml(b)).toEqual(modelToYaml(a));
    expect([...modelToYaml(a).keys()]).toEqual(['audit/a.yaml', 'b.yaml', 'children.yaml']);
  });

  it('writes identity and sequence options only where they differ from PostgreSQL defaults', () => {
    const t = table('public', 't', [
      column('a', 'integer', { notNull: true, identity: identity('by default', { max: '2147483647' }) }),
      column('b', 'smallint', {
        notNull: true,
        identity: identity('always', { max: '32767', start: '5', cache: '10' }),
      }),
      column('c', 'bigint', {
        notNull: true,
        identity: identity('always', {
          increment: '-1',
          min: '-9223372036854775808',
          max: '-1',
          start: '-1',
        }),
      }),
    ]);
    const sequences = [
      sequence('plain'),
      sequence('small', { type: 'smallint', max: '32767' }),
      sequence('huge', { start: '9007199254740993' }),
      sequence('down', { increment: '-2', min: '-9223372036854775808', max: '-1', start: '-1', cycle: true }),
      sequence('owned', { type: 'integer', max: '2147483647', ownedBy: { table: 't', column: 'a' } }),
    ];
    const files = modelToYaml(result({ tables: [t], sequences }));
    const doc = parse(files.get('t.yaml')!);
    expect(doc.tables.t.columns).toEqual({
      a: { type: 'integer', notNull: true, identity: 'by default' },
      b: { type: 'smallint', notNull: true, identity: { kind: 'always', start: 5, cache: 10 } },
      c: { type: 'bigint', notNull: true, identity: { kind: 'always', increment: -1 } },
    });
    expect(parse(files.get('types.yaml')!).sequences).toEqual({
      down: { increment: -2, cycle: true },
      huge: { start: '9007199254740993' },
      owned: { type: 'integer', ownedBy: 't.a' },
      plain: {},
      small: { type: 'smallint' },
    });
  });

  it('writes index keys so the loader reads columns as columns and expressions as expressions', () => {
    const t = table(
      'public',
      't',
      [column('a', 'int'), column('Order Date', 'date'), column('lower(a)', 'text'), column('b', 'int')],
      {
        indexes: [
          index('i', [
            key('a'),
            key('Order Date'),
            key(null, 'lower(a)'),
            key(null, 'b'),
            key(null, '(a + 1)', { order: 'desc', nulls: 'last' }),
            key('b', null, { opclass: 'int4_ops', collation: null, nulls: 'first' }),
          ]),
        ],
      },
    );
    const doc = parse(modelToYaml(result({ tables: [t] })).get('t.yaml')!);
    expect(doc.tables.t.indexes.i.columns).toEqual([
      'a',
      { column: 'Order Date' },
      { expr: 'lower(a)' },
      { expr: 'b' },
      { expr: '(a + 1)', order: 'desc', nulls: 'last' },
      { column: 'b', opclass: 'int4_ops', nulls: 'first' },
    ]);
  });

  it('lists unmanaged objects as comments only, and puts every schema in its own directory', () => {
    const files = modelToYaml(
      result(
        {
          schemas: [
            { name: 'billing', comment: 'money "in"' },
            { name: 'empty', comment: null },
          ],
          extensions: [{ name: 'citext', schema: 'billing', version: '1.6' }],
          enums: [{ schema: 'billing', name: 'kind', values: ['yes', 'no', '1'], comment: null }],
        },
        [
          { kind: 'view', schema: 'billing', name: 'Open Invoices', table: null },
          { kind: 'trigger', schema: 'billing', name: 'touch\nme', table: 'invoices' },
        ],
      ),
    );
    expect([...files.keys()]).toEqual(['billing/types.yaml', 'empty/types.yaml']);
    const text = files.get('billing/types.yaml')!;
    expect(text).toContain('#   view billing."Open Invoices"\n');
    expect(text).toContain(
      '# COMMENT ON SCHEMA in the database (not managed by tidemark): "money \\"in\\""\n',
    );
    expect(text).toContain('#   trigger "touch\\nme" on billing.invoices\n');
    expect(parse(text)).toEqual({
      schema: 'billing',
      extensions: [{ name: 'citext', schema: 'billing', version: '1.6' }],
      enums: { kind: ['yes', 'no', '1'] },
    });
    expect(parse(files.get('empty/types.yaml')!)).toEqual({ schema: 'empty' });
  });

  it('points editors at the JSON Schema relative to each file', () => {
    const t = table('audit', 'a', [column('y', 'int')]);
    const model = { tables: [children, t], schemas: [{ name: 'audit', comment: null }] };
    const first = (files: Map<string, string>, file: string) => files.get(file)!.split('\n', 1)[0];
    const local = modelToYaml(result(model), { schemaPath: '../tidemark.schema.json' });
    expect(first(local, 'children.yaml')).toBe('# yaml-language-server: $schema=../tidemark.schema.json');
    expect(first(local, 'audit/a.yaml')).toBe('# yaml-language-server: $schema=../../tidemark.schema.json');
    const url = modelToYaml(result(model), { schemaPath: 'https://example.com/tidemark.schema.json' });
    expect(first(url, 'audit/a.yaml')).toBe(
      '# yaml-language-server: $schema=https://example.com/tidemark.schema.json',
    );
  });
});

describe('pulled files of a hostile model', () => {
  const hostile = [
    'yes',
    'null',
    '0',
    '#x',
    'a: b',
    '- y',
    'Users',
    'users',
    'types',
    'a.b',
    'ñ',
    'tab\tx',
    "it's",
    '<<',
    '__proto__',
  ];
  const tables = hostile.map((name) =>
    table(
      'public',
      name,
      [
        column(name, 'text', { default: `'${name.replaceAll("'", "''")}'::text`, comment: name }),
        column('id', 'integer', { notNull: true }),
      ],
      {
        primaryKey: { name: `${name}_pkey`, columns: ['id'], comment: name },
        indexes: [index(`${name}_idx`, [key(name)])],
      },
    ),
  );
  const files = modelToYaml(
    result({ tables, enums: [{ schema: 'public', name: 'e', values: hostile, comment: null }] }),
  );
  const dir = mkdtempSync(join(tmpdir(), 'tidemark-pull-unit-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('match the JSON Schema of the format', () => {
    for (const [file, text] of files) {
      expect(validate(parse(text)), `${file}: ${JSON.stringify(validate.errors)}`).toBe(true);
    }
  });

  it('load without a diagnostic into the same names, defaults and comments', async () => {
    writePulledFiles(dir, files, { force: false });
    const loaded = await loadDesiredState(dir, { ignore: [] });
    expect(loaded.diagnostics).toEqual([]);
    const state = loaded.state!;
    expect(state.tables.map((t) => t.name).sort()).toEqual([...hostile].sort());
    for (const t of state.tables) {
      expect(t.columns.map((c) => [c.name, c.default, c.comment])).toEqual([
        [t.name, `'${t.name.replaceAll("'", "''")}'::text`, t.name],
        ['id', null, null],
      ]);
      expect(t.primaryKey).toMatchObject({ name: `${t.name}_pkey`, columns: ['id'], comment: t.name });
      expect(t.indexes[0]!.keys[0]).toMatchObject({ column: t.name, expression: null });
    }
    expect(state.enums[0]!.values).toEqual(hostile);
  });
});
