import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..');
const server = pathToFileURL(join(root, 'src/embedded/server.ts')).href;

/** Exit status of a process that loads the embedded PostgreSQL package, sets `exitCode` and ends naturally. */
function exitStatusAfterLoading(major: number): number | null {
  const code = `const { loadEmbedded } = await import(${JSON.stringify(server)});
await loadEmbedded(${major});
process.exitCode = 3;`;
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], {
    cwd: root,
    encoding: 'utf8',
  });
  expect(r.stderr).toBe('');
  return r.status;
}

describe('embedded PostgreSQL package', () => {
  // Its exit hook ended every such process with status 0: the test runner reported failed tests and exited 0.
  it('leaves the exit code of a process that loaded it alone', () => {
    expect(exitStatusAfterLoading(15)).toBe(3);
  });
});
