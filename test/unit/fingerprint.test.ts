import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fingerprint, fingerprints, sha256, stableStringify } from '../../src/model/fingerprint.js';
import type { Model } from '../../src/model/types.js';

/** The reference: a sorted deep copy through JSON.stringify, the definition saved plans were made with. */
function reference(value: unknown): string {
  const sort = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(sort);
    if (v !== null && typeof v === 'object') {
      // Without a prototype, so a key such as "__proto__" is an ordinary key of the copy.
      const out: Record<string, unknown> = Object.create(null);
      for (const k of Object.keys(v).sort()) {
        const x = (v as Record<string, unknown>)[k];
        if (x !== undefined) out[k] = sort(x);
      }
      return out;
    }
    return v;
  };
  return JSON.stringify(sort(value));
}

const json = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.string({ unit: 'grapheme' }),
    fc.string({ unit: 'binary' }),
    fc.double(),
    fc.integer(),
    fc.boolean(),
    fc.constant(null),
    fc.constant(undefined),
    fc.array(tie('value'), { maxLength: 5 }),
    fc.dictionary(fc.string({ unit: 'binary' }), tie('value'), { maxKeys: 6 }),
  ),
})).value;

describe('stableStringify', () => {
  it('writes exactly what JSON.stringify writes for a key-sorted copy', () => {
    fc.assert(
      fc.property(json, (v) => {
        if (v === undefined) return;
        expect(stableStringify(v)).toBe(reference(v));
      }),
      { numRuns: 2000 },
    );
  });

  it('orders array-index keys as a sorted copy lists them, numerically and first', () => {
    expect(stableStringify({ b: 1, 10: 'x', a: 2, 9: 'y' })).toBe('{"9":"y","10":"x","a":2,"b":1}');
    expect(stableStringify({ b: 1, 10: 'x', a: 2, 9: 'y' })).toBe(reference({ a: 2, b: 1, 9: 'y', 10: 'x' }));
  });

  it('ignores non-enumerable symbol properties such as load origins', () => {
    const o = { b: 1, a: [1, { d: 'x', c: null }] };
    Object.defineProperty(o, Symbol('origin'), { value: { doc: 'big' }, enumerable: false });
    expect(stableStringify(o)).toBe('{"a":[1,{"c":null,"d":"x"}],"b":1}');
  });
});

describe('fingerprint', () => {
  const column = (name: string) => ({
    name,
    type: 'integer',
    notNull: true,
    default: null,
    identity: null,
    generated: null,
    collation: null,
    comment: name === 'b' ? 'with "quotes"\n' : null,
  });
  const table = (name: string) => ({
    schema: 'public',
    name,
    columns: [column('b'), column('a')],
    primaryKey: null,
    uniques: [],
    checks: [],
    foreignKeys: [],
    indexes: [],
    comment: null,
  });
  const model = (tables: string[]): Model =>
    ({
      schemas: [{ name: 'public', comment: null }],
      extensions: [],
      enums: [{ schema: 'public', name: 'mood', values: ['sad', 'ok'], comment: null }],
      sequences: [],
      tables: tables.map(table),
    }) as unknown as Model;

  it('is the sha256 of the whole stable serialisation, with no tables, one, or many', () => {
    for (const names of [[], ['t'], ['a', 'b', 'c']]) {
      const m = model(names);
      expect(fingerprint(m)).toBe(`sha256:${sha256(reference(m))}`);
    }
  });

  it('differs when any table differs, and reuses nothing stale across models', () => {
    const a = model(['a', 'b']);
    const b = { ...a, tables: [a.tables[0]!, { ...a.tables[1]!, comment: 'changed' }] };
    expect(fingerprint(a)).not.toBe(fingerprint(b));
    expect(fingerprint(b)).toBe(`sha256:${sha256(reference(b))}`);
  });

  it('fingerprints two models at once exactly as one at a time, whatever tables they share', () => {
    const names = fc.uniqueArray(fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f'), { maxLength: 6 });
    fc.assert(
      fc.property(names, names, fc.boolean(), fc.boolean(), (x, y, sortX, sortY) => {
        const a = model(sortX ? [...x].sort() : x);
        // b shares a's table objects where their names meet, else has its own (one with another comment).
        const own = new Map(a.tables.map((t) => [t.name, t]));
        const tables = (sortY ? [...y].sort() : y).map(
          (n) => own.get(n) ?? { ...table(n), comment: n === 'c' ? 'other' : null },
        );
        const b = { ...a, tables } as unknown as Model;
        expect(fingerprints(a, b)).toEqual([fingerprint(a), fingerprint(b)]);
        expect(fingerprint(b)).toBe(`sha256:${sha256(reference(b))}`);
      }),
      { numRuns: 300 },
    );
  });
});
