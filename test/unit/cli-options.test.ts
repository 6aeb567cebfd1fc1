import { describe, expect, it } from 'vitest';
import { HAZARD_CODES, parseHazardList } from '../../src/cli/options.js';
import { InputError } from '../../src/errors.js';

describe('--allow-hazards', () => {
  it('reads a comma separated list, case-insensitively, sorted and without repeats', () => {
    expect(parseHazardList('index_build, FULL_SCAN,INDEX_BUILD')).toEqual(['FULL_SCAN', 'INDEX_BUILD']);
  });

  it('expands all to every code but WILL_FAIL_ON_DATA, which no approval can allow', () => {
    const all = parseHazardList('all');
    expect(all).not.toContain('WILL_FAIL_ON_DATA');
    expect(all).toHaveLength(HAZARD_CODES.length - 1);
  });

  it('rejects an unknown code and names the known ones', () => {
    expect(() => parseHazardList('DELETE_DATA')).toThrow(InputError);
    expect(() => parseHazardList('DELETE_DATA')).toThrow(/unknown hazard code "DELETE_DATA".*DELETES_DATA/);
  });

  it('treats no value as no approvals', () => {
    expect(parseHazardList(undefined)).toEqual([]);
    expect(parseHazardList('  ')).toEqual([]);
  });
});
