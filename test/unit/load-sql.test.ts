import { describe, expect, it } from 'vitest';
import { checkSqlFragment } from '../../src/sql/expr-check.js';

/** The offline SQL checks use PostgreSQL's own parser; these pin what is accepted and where errors point. */
describe('checkSqlFragment', () => {
  it.each([
    ['expression', 'now()'],
    ['expression', '(extract(epoch FROM b - a) / 3600)::numeric'],
    ['default', "'{}'::jsonb"],
    ['default', 'CURRENT_DATE + 30'],
    ['default', "nextval('invoice_number')"],
    ['condition', "status IN ('a', 'b') AND x IS NOT NULL"],
    ['type', 'numeric(12,2)'],
    ['type', 'timestamp with time zone'],
    ['type', 'text[]'],
    ['type', 'audit.kind'],
    ['type', 'double precision'],
  ] as const)('accepts %s %s', async (kind, text) => {
    expect(await checkSqlFragment(text, kind)).toBeNull();
  });

  it.each([
    ['expression', '(1 + 2', 'syntax error at end of input', 6],
    ['condition', 'a > 0) OR (b', 'syntax error at or near ")"', 5],
    ['condition', 'a > 0; DROP TABLE t', 'expected a single boolean SQL expression, found 2 statements', 0],
    ['condition', 'a > 0 GROUP BY a', 'expected a single boolean SQL expression', 0],
    ['expression', '1, 2', 'expected a single SQL expression, found a list', 0],
    ['expression', 'now() later', 'expected a single SQL expression', 0],
    ['expression', '1 FROM t', 'expected a single SQL expression', 0],
    ['default', 'active', 'a default cannot refer to a column ("active")', 0],
    ['default', "coalesce(x, 'a')", 'a default cannot refer to a column ("x")', 9],
    ['type', 'varchar(20) NOT NULL', 'syntax error at or near "NULL"', 16],
    ['type', 'int foo', 'expected a type name', 0],
  ] as const)('rejects %s %s', async (kind, text, message, offset) => {
    expect(await checkSqlFragment(text, kind)).toEqual({ message, offset });
  });
});

describe('checkSqlFragment at scale', () => {
  it('keeps working over thousands of distinct fragments (the wasm stack must not fill up)', async () => {
    for (let i = 0; i < 3000; i++) {
      expect(
        await checkSqlFragment(`amount_${i} >= ${i} AND status IN ('open', 'closed')`, 'condition'),
      ).toBeNull();
    }
    expect(await checkSqlFragment('(1', 'expression')).toEqual({
      message: 'syntax error at end of input',
      offset: 2,
    });
  });
});
