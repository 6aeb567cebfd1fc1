import { describe, expect, it } from 'vitest';
import type { Index } from '../../src/model/types.js';
import { swapIndexName } from '../../src/plan/steps/indexes.js';

const index = (name: string, column: string): Index => ({
  name,
  unique: false,
  method: 'btree',
  keys: [{ column, expression: null, opclass: null, collation: null, order: 'asc', nulls: null }],
  include: [],
  where: null,
  nullsNotDistinct: false,
  valid: true,
  comment: null,
});
const table = { schema: 'public', name: 'orders' };

describe('temporary name of a replacement index', () => {
  it('is the name, _tidemark_ and a hash of the new definition: the same for the same definition only', () => {
    const a = swapIndexName(table, index('orders_status_idx', 'status'));
    expect(a).toMatch(/^orders_status_idx_tidemark_[0-9a-f]{8}$/);
    expect(swapIndexName(table, index('orders_status_idx', 'status'))).toBe(a);
    expect(swapIndexName(table, index('orders_status_idx', 'state'))).not.toBe(a);
  });

  it('fits in 63 bytes without cutting a multi-byte character in half', () => {
    const long = `${'é'.repeat(30)}_idx`; // 64 bytes
    const name = swapIndexName(table, index(long, 'status'));
    expect(Buffer.byteLength(name)).toBeLessThanOrEqual(63);
    expect(name).toMatch(/^é+_tidemark_[0-9a-f]{8}$/);
    expect(name).not.toContain('\uFFFD');
  });
});
