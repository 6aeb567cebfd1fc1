import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadDesiredState } from '../../src/load/index.js';
import { formatDiagnosticsText } from '../../src/report/diagnostics.js';

/**
 * Every directory under fixtures/invalid/ is a schema directory holding one real mistake; expected.txt is the
 * exact text `tidemark validate` prints for it (paths relative to the repository root). UPDATE_GOLDEN=1
 * rewrites the expected files, which are then reviewed like code.
 */

const root = join(import.meta.dirname, '..', '..');
const dir = join(root, 'fixtures', 'invalid');
const cases = readdirSync(dir, { withFileTypes: true })
  .filter((e) => e.isDirectory())
  .map((e) => e.name)
  .sort();

describe('fixtures/invalid', () => {
  it('holds at least 32 distinct cases', () => {
    expect(cases.length).toBeGreaterThanOrEqual(32);
  });

  it.each(cases)('%s', async (name) => {
    const result = await loadDesiredState(join('fixtures', 'invalid', name), { cwd: root });
    const text = formatDiagnosticsText(result.diagnostics);
    const expectedFile = join(dir, name, 'expected.txt');
    if (process.env.UPDATE_GOLDEN === '1' || !existsSync(expectedFile)) writeFileSync(expectedFile, text);
    expect(result.state).toBeNull();
    expect(result.diagnostics.some((d) => d.severity === 'error')).toBe(true);
    for (const d of result.diagnostics) {
      expect(d.file.startsWith(`fixtures/invalid/${name}/`)).toBe(true);
      expect(d.line).toBeGreaterThan(0);
      expect(d.col).toBeGreaterThan(0);
    }
    expect(text).toBe(readFileSync(expectedFile, 'utf8'));
  });
});
