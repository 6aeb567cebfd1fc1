import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderPlanJson } from '../../src/report/plan-json.js';
import { renderPlanMarkdown } from '../../src/report/plan-markdown.js';
import { renderPlanSql } from '../../src/report/plan-sql.js';
import { converge, planAgainst } from '../helpers/converge.js';
import { createTestDatabase, pgMajor, type TestDatabase } from '../helpers/db.js';

/**
 * Golden plan cases (fixtures/cases/<category>/<case>/): `from.sql` builds the live database, `to/` holds
 * the desired YAML. Every case must converge (law 2) and plan deterministically (law 4) on every major; the
 * expected plan.sql / plan.json / plan.md were recorded on PostgreSQL 15 and are compared there
 * (UPDATE_GOLDEN=1 rewrites them, CASE=<substring> selects cases).
 */
const ROOT = 'fixtures/cases';
const GOLDEN_MAJOR = 15;

function listCases(): string[] {
  const out: string[] = [];
  for (const category of readdirSync(ROOT).sort()) {
    const dir = join(ROOT, category);
    if (!statSync(dir).isDirectory()) continue;
    for (const name of readdirSync(dir).sort()) {
      const path = join(dir, name);
      if (existsSync(join(path, 'to'))) out.push(path);
    }
  }
  const filter = process.env.CASE;
  return filter ? out.filter((c) => c.includes(filter)) : out;
}

/** Build the case's live database. VACUUM ANALYZE pins the statistics (row estimates, free-space and
 * visibility-map forks) that hazard texts quote, so autovacuum timing cannot change the golden bytes. */
async function buildFrom(db: TestDatabase, path: string): Promise<void> {
  const from = join(path, 'from.sql');
  if (existsSync(from)) await db.query(readFileSync(from, 'utf8'));
  await db.query('VACUUM ANALYZE');
}

function schemasOf(path: string): string | undefined {
  return existsSync(join(path, 'schemas')) ? readFileSync(join(path, 'schemas'), 'utf8').trim() : undefined;
}

/** A case using a feature of a newer major (NULLS NOT DISTINCT is 15+) says so in a `min-major` file. */
function minMajorOf(path: string): number {
  const file = join(path, 'min-major');
  return existsSync(file) ? Number(readFileSync(file, 'utf8').trim()) : 0;
}

/** Fields that legitimately differ between runs on different servers or tool versions. */
function stableJson(text: string): string {
  return text
    .replace(/"serverVersionNum": \d+/, '"serverVersionNum": 0')
    .replace(/"toolVersion": "[^"]*"/, '"toolVersion": ""');
}

function golden(file: string, actual: string): void {
  if (process.env.UPDATE_GOLDEN || !existsSync(file)) {
    writeFileSync(file, actual);
    return;
  }
  expect(actual).toBe(readFileSync(file, 'utf8'));
}

for (const path of listCases()) {
  const minMajor = minMajorOf(path);
  if (pgMajor() < minMajor) {
    // Not skipped: on an older major the case must be rejected, proving it really needs the newer one.
    describe(path, () => {
      it(`needs PostgreSQL ${minMajor}+: PostgreSQL ${pgMajor()} rejects it`, async () => {
        const db = await createTestDatabase('caseold');
        try {
          const attempt = async () => {
            await buildFrom(db, path);
            await converge(db.url, join(path, 'to'), schemasOf(path));
          };
          await expect(attempt()).rejects.toThrow();
        } finally {
          await db.drop();
        }
      });
    });
    continue;
  }
  describe(path, () => {
    let db: TestDatabase;
    beforeAll(async () => {
      db = await createTestDatabase('case');
      await buildFrom(db, path);
    });
    afterAll(async () => {
      await db.drop();
    });

    it('plans the same bytes twice and converges: second plan empty, live model as promised', async () => {
      const schemas = schemasOf(path);
      const again = await planAgainst(db.url, join(path, 'to'), { schemas });
      const result = await converge(db.url, join(path, 'to'), schemas);
      expect(renderPlanJson(again.plan)).toBe(renderPlanJson(result.first.plan));
      const remaining = result.second.plan.groups.flatMap((g) => g.steps.map((s) => s.sql));
      expect(remaining).toEqual([]);
      expect(result.liveFingerprint).toBe(result.first.plan.to.fingerprint);
      if (pgMajor() === GOLDEN_MAJOR) {
        golden(join(path, 'plan.sql'), renderPlanSql(result.first.plan));
        golden(join(path, 'plan.json'), stableJson(renderPlanJson(result.first.plan)));
        golden(join(path, 'plan.md'), renderPlanMarkdown(result.first.plan));
      }
    });

    it('plans the same changes when every table is compiled on the shadow', async () => {
      // Compiling only what differs must give exactly what a full compile gives.
      const fresh = await createTestDatabase('casefull');
      try {
        await buildFrom(fresh, path);
        const schemas = schemasOf(path);
        const partial = await planAgainst(fresh.url, join(path, 'to'), { schemas });
        const full = await planAgainst(fresh.url, join(path, 'to'), { schemas, fullCompile: true });
        expect(renderPlanSql(partial.plan)).toBe(renderPlanSql(full.plan));
        expect(partial.plan.to.fingerprint).toBe(full.plan.to.fingerprint);
      } finally {
        await fresh.drop();
      }
    });
  });
}
