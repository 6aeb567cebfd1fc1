import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { decodeStem, fileStems } from '../../src/pull/file-names.js';
import { isPlainSafe, map, renderDocument, scalarText, seq, str } from '../../src/pull/yaml-text.js';

/** The string must come back identical as a block value, a flow value, a flow list item and a key. */
function roundTrips(value: string): void {
  const text = scalarText(value);
  expect(parse(`k: ${text}\n`)).toEqual({ k: value });
  expect(parse(`m: { k: ${text}, z: 1 }\n`)).toEqual({ m: { k: value, z: 1 } });
  expect(parse(`l: [${text}, z]\n`)).toEqual({ l: [value, 'z'] });
  expect(parse(`${text}: 1\n`)).toEqual({ [value]: 1 });
  expect(parse(`{ ${text}: 1 }\n`)).toEqual({ [value]: 1 });
}

const TRAPS = [
  '0',
  '007',
  '1e3',
  '-1',
  '+1',
  '.5',
  '0x1F',
  '0o17',
  '.inf',
  '.NaN',
  '1_000',
  '2026-11-26',
  '12:30',
  'true',
  'False',
  'yes',
  'No',
  'on',
  'OFF',
  'y',
  'n',
  'null',
  'Null',
  '~',
  '',
  ' ',
  ' leading',
  'trailing ',
  '*ref',
  '&anchor',
  '!tag',
  '%directive',
  '@at',
  '`tick',
  '|literal',
  '>folded',
  '- dash',
  '-',
  '? q',
  '[a]',
  '{a}',
  'a, b',
  'a: b',
  'a:',
  'key:value',
  'a #b',
  '#c',
  "'active'::text",
  "nextval('orders_id_seq'::regclass)",
  '"Quoted"',
  'line one\nline two',
  'tab\there',
  'cr\rlf',
  'back\\slash',
  'unicode ñ — 日本語 😀',
  '\u2028sep',
  '\u0085nel',
  '\ufeffbom',
  '\u00a0nbsp',
  'del\u007f',
  'bell\u0007',
  '<<',
  '=',
  'now()',
  'CURRENT_TIMESTAMP',
  "(status = ANY (ARRAY['a'::text, 'b'::text]))",
  'a  b',
  '---',
  '...',
];

describe('YAML scalars', () => {
  it.each(TRAPS.map((t) => [JSON.stringify(t), t]))('%s reads back as the same string', (_label, value) => {
    roundTrips(value);
  });

  it('leaves ordinary SQL and names unquoted for readability', () => {
    for (const s of [
      'bigint',
      'timestamp with time zone',
      'now()',
      'character varying(255)',
      'order_items',
    ]) {
      expect(isPlainSafe(s)).toBe(true);
    }
    expect(scalarText("'active'::text")).toBe(`"'active'::text"`);
    expect(scalarText('0')).toBe('"0"');
    expect(scalarText('yes')).toBe('"yes"');
  });

  it('round-trips any string', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 40 }), (s) => {
        roundTrips(s);
      }),
      { numRuns: 2000 },
    );
    fc.assert(
      fc.property(fc.stringMatching(/^[A-Za-z_][ -~]{0,30}$/), (s) => {
        roundTrips(s);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('YAML layout', () => {
  it('writes multi-line text as a literal block that reads back exactly, or quotes it', () => {
    const sql = 'CREATE FUNCTION f() RETURNS int\n LANGUAGE sql\n\nAS $$ SELECT 1 $$';
    const text = renderDocument([], map([{ key: 'sql', value: str(sql) }], 'block'));
    expect(text).toBe('sql: |-\n  CREATE FUNCTION f() RETURNS int\n   LANGUAGE sql\n\n  AS $$ SELECT 1 $$\n');
    const lines = fc.array(fc.stringMatching(/^[ -~\t\r\u00e9]{0,12}$/), { minLength: 1, maxLength: 5 });
    fc.assert(
      fc.property(lines, fc.constantFrom('', '\n', '\n\n'), (parts, end) => {
        const value = parts.join('\n') + end;
        const doc = renderDocument(
          [],
          map([{ key: 'l', value: seq([map([{ key: 'sql', value: str(value) }])]) }]),
        );
        expect(parse(doc)).toEqual({ l: [{ sql: value }] });
      }),
      { numRuns: 2000 },
    );
  });

  it('writes short maps in flow style and long ones in block style', () => {
    const short = map([{ key: 'type', value: str('bigint') }]);
    const long = map(
      Array.from({ length: 12 }, (_, i) => ({ key: `key_${i}`, value: str(`value_number_${i}`) })),
    );
    const text = renderDocument(
      ['header'],
      map(
        [
          { key: 's', value: short },
          { key: 'l', value: long },
        ],
        'block',
      ),
    );
    expect(text.startsWith('# header\ns: { type: bigint }\nl:\n  key_0: value_number_0\n')).toBe(true);
    expect(parse(text).l.key_11).toBe('value_number_11');
  });

  it('writes block lists of maps readably and keeps entry comments', () => {
    const items = seq([
      map(Array.from({ length: 10 }, (_, i) => ({ key: `k${i}`, value: str('x'.repeat(12)) }))),
    ]);
    const root = map([{ key: 'list', value: items, comments: ['about\nthe list'] }], 'block');
    const text = renderDocument([], root);
    expect(text.split('\n')[0]).toBe('# about the list');
    expect(text).toContain('\n  - k0: xxxxxxxxxxxx\n    k1: xxxxxxxxxxxx\n');
    expect(parse(text).list[0].k9).toBe('x'.repeat(12));
  });
});

describe('file names', () => {
  const hostile = [
    'users',
    'Users',
    'USERS',
    'types',
    'Types',
    'con',
    'a/b',
    '..',
    '.hidden',
    'a b',
    'a.b',
    '%41',
    'A',
    '日本',
    'x'.repeat(63),
    'tab\there',
    'back\\slash',
    'Order Date',
  ];
  const stems = fileStems(hostile, ['types']);

  it('gives every name a stem of safe characters that decodes back', () => {
    for (const name of hostile) {
      const stem = stems.get(name)!;
      expect(stem).toMatch(/^[A-Za-z0-9_%-]+$/);
      expect(decodeStem(stem)).toBe(name);
      expect(Buffer.byteLength(`${stem}.yaml`)).toBeLessThan(255);
    }
  });

  it('never gives two names stems equal up to case, nor a reserved or device stem', () => {
    const folded = hostile.map((n) => stems.get(n)!.toLowerCase());
    expect(new Set(folded).size).toBe(hostile.length);
    expect(folded).not.toContain('types');
    expect(folded).not.toContain('con');
  });

  it('keeps readable names as they are', () => {
    const plain = fileStems(['order_items', 'User', 'audit-log']);
    expect([...plain.values()]).toEqual(['order_items', 'User', 'audit-log']);
  });
});
