import { describe, expect, it } from 'vitest';
import { renderMoveIntoRange } from '../../src/sql/render-objects.js';

const seq = { kind: 'sequence', sequence: { schema: 'billing', name: 'Invoice No' } } as const;
const opts = (min: string, max: string, increment = '1', start = min) => ({ min, max, increment, start });

describe('renderMoveIntoRange', () => {
  it('is needed only where the new range starts past where the sequence may stand', () => {
    // Ascending: only a raised minimum; lowering it, or any change of the maximum, leaves the value inside.
    expect(renderMoveIntoRange(seq, opts('1', '100'), opts('1', '100'))).toBeNull();
    expect(renderMoveIntoRange(seq, opts('10', '100'), opts('1', '100'))).toBeNull();
    expect(renderMoveIntoRange(seq, opts('1', '100'), opts('1', '50'))).toBeNull();
    // Descending: only a lowered maximum.
    expect(renderMoveIntoRange(seq, opts('-100', '-1', '-1'), opts('-200', '-1', '-1'))).toBeNull();
    expect(renderMoveIntoRange(seq, opts('-100', '-1', '-1'), opts('-100', '-5', '-1'))).toBe(
      `SELECT setval('billing."Invoice No"', -5, false) FROM billing."Invoice No" WHERE last_value > -5`,
    );
  });

  it('moves a named sequence to its new minimum only when it stands below it', () => {
    expect(renderMoveIntoRange(seq, opts('1', '100'), opts('10', '100', '5'))).toBe(
      `SELECT setval('billing."Invoice No"', 10, false) FROM billing."Invoice No" WHERE last_value < 10`,
    );
  });

  it('finds an identity sequence at run time, taking its start as its value until first called', () => {
    const ref = { kind: 'identity', table: { schema: 'public', name: 'Orders' }, column: 'Id' } as const;
    expect(renderMoveIntoRange(ref, opts('1', '2147483647', '1', '7'), opts('1000', '2147483647'))).toBe(
      `SELECT setval(s.seq, 1000, false) FROM (SELECT pg_get_serial_sequence('public."Orders"', 'Id')::regclass AS seq) s WHERE coalesce(pg_sequence_last_value(s.seq), 7) < 1000`,
    );
  });
});
