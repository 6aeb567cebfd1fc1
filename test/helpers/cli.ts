import { spawn } from 'node:child_process';
import { resolve } from 'node:path';

export const ROOT = resolve(import.meta.dirname, '../..');
// TIDEMARK_CLI points the tests at another build (a private one while others rebuild dist/).
export const CLI = process.env.TIDEMARK_CLI ?? resolve(ROOT, 'dist/cli/main.js');

export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Run the built `tidemark` (test/setup/global.ts builds dist/ once per run) with no terminal attached, as CI
 * would. DATABASE_URL and friends are cleared unless passed, so a test never reaches a database by accident.
 */
export function runCli(
  args: readonly string[],
  options: { cwd?: string; env?: Record<string, string | undefined>; input?: string } = {},
): Promise<CliResult> {
  const env: Record<string, string | undefined> = { ...process.env, NO_COLOR: '1' };
  for (const k of ['DATABASE_URL', 'SHADOW_DATABASE_URL', 'TIDEMARK_SCHEMA_DIR', 'TIDEMARK_SCHEMAS'])
    delete env[k];
  Object.assign(env, options.env);
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd: options.cwd ?? ROOT, env, stdio: 'pipe' });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    child.on('error', reject);
    child.on('close', (code) => resolvePromise({ code: code ?? -1, stdout, stderr }));
    child.stdin.end(options.input ?? '');
  });
}
