import { join } from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { loadDesiredState } from '../../src/load/index.js';
import { compileDesired } from '../../src/shadow/compile.js';

/** schema/ is the quick start's database: it must not only validate but build on a real PostgreSQL. */
describe('schema/ on PostgreSQL', () => {
  it('compiles, and the catalog holds what the YAML describes', async () => {
    const root = join(import.meta.dirname, '..', '..');
    const { state, diagnostics } = await loadDesiredState('schema', { cwd: root });
    expect(diagnostics).toEqual([]);
    const result = await compileDesired(state!, { serverUrl: inject('adminUrl'), schemas: state!.schemas });
    const model = result.model;
    const names = (list: readonly { schema: string; name: string }[]) =>
      list.map((x) => `${x.schema}.${x.name}`);
    expect(names(model.tables)).toEqual(names(state!.tables));
    expect(names(model.enums)).toEqual(names(state!.enums));
    for (const desired of state!.tables) {
      const live = model.tables.find((t) => t.schema === desired.schema && t.name === desired.name)!;
      expect(live.columns.map((c) => c.name)).toEqual(desired.columns.map((c) => c.name));
      expect(live.primaryKey?.name ?? null).toBe(desired.primaryKey?.name ?? null);
      expect(live.foreignKeys.map((f) => [f.name, f.onDelete])).toEqual(
        desired.foreignKeys.map((f) => [f.name, f.onDelete]),
      );
      expect(live.uniques.map((u) => u.name)).toEqual(desired.uniques.map((u) => u.name));
      expect(live.checks.map((c) => c.name)).toEqual(desired.checks.map((c) => c.name));
      expect(live.indexes.map((i) => i.name)).toEqual(desired.indexes.map((i) => i.name));
    }
  });
});
