import { describe, expect, it } from 'vitest';
import { inTableOrder } from '../../src/introspect/map-tables.js';

describe('inTableOrder', () => {
  it('returns rows already in (table, attnum) order as they are, without copying', () => {
    const rows = [
      { tableOid: 10, attnum: 1 },
      { tableOid: 10, attnum: 3 },
      { tableOid: 11, attnum: 1 },
    ];
    expect(inTableOrder(rows)).toBe(rows);
  });

  it('sorts rows the plan returned in another order, so each table lists its columns by attnum', () => {
    const rows = [
      { tableOid: 11, attnum: 2 },
      { tableOid: 10, attnum: 2 },
      { tableOid: 11, attnum: 1 },
      { tableOid: 10, attnum: 1 },
    ];
    expect(inTableOrder(rows)).toEqual([
      { tableOid: 10, attnum: 1 },
      { tableOid: 10, attnum: 2 },
      { tableOid: 11, attnum: 1 },
      { tableOid: 11, attnum: 2 },
    ]);
    expect(rows[0]).toEqual({ tableOid: 11, attnum: 2 });
  });
});
