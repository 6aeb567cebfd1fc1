import { spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

/** Finding and running the PostgreSQL client tools on the PATH. */

export function findOnPath(tool: string, env: NodeJS.ProcessEnv): string | null {
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, tool);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return null;
}

export interface RunResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export function runTool(
  file: string,
  args: readonly string[],
  env: NodeJS.ProcessEnv,
  signal?: AbortSignal,
): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { env, stdio: ['ignore', 'pipe', 'pipe'], signal });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Major version from `pg_dump (PostgreSQL) 15.18 (Debian 15.18-0+deb12u1)`. */
export function parseToolMajor(versionOutput: string): number | null {
  const m = /\(PostgreSQL\)\s+(\d+)(?:\.(\d+))?/.exec(versionOutput);
  if (!m) return null;
  const major = Number(m[1]);
  // Before 10 the major was two numbers (9.6); those cannot dump any server tidemark supports anyway.
  return major >= 10 ? major : major + Number(m[2] ?? 0) / 10;
}

export interface ToolInfo {
  readonly path: string;
  readonly major: number;
  readonly version: string;
}

export async function toolVersion(tool: string, env: NodeJS.ProcessEnv): Promise<ToolInfo | null> {
  const path = findOnPath(tool, env);
  if (!path) return null;
  const result = await runTool(path, ['--version'], env).catch(() => null);
  if (result?.code !== 0 || !result) return null;
  const major = parseToolMajor(result.stdout);
  if (major === null) return null;
  return { path, major, version: result.stdout.trim() };
}
