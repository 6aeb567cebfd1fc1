import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Whole-process measurement of a command as a user runs it: wall time from spawn to exit, and peak RSS and
 * CPU through GNU time (`/usr/bin/time`, the figure `time -v` calls "Maximum resident set size"), which reads
 * them from the kernel when the command exits. Node cannot see a child's rusage, hence the wrapper; without
 * it the wall time is still measured and the rest is left out.
 */

const GNU_TIME = '/usr/bin/time';

export interface ProcessSample {
  readonly wallMs: number;
  /** Null when GNU time is not installed or the command was stopped. */
  readonly maxRssKiB: number | null;
  readonly cpuMs: number | null;
  readonly exitCode: number | null;
  /** True when the command ran past the timeout and was killed: `wallMs` is then a lower bound. */
  readonly timedOut: boolean;
  /** The last few KiB of the command's output, for a failure report. */
  readonly outputTail: string;
}

export interface RunOptions {
  readonly cwd: string;
  /** Added to the environment; keys mapped to undefined are removed from it. */
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly timeoutMs: number;
}

const TAIL = 4096;

export function timeProcess(
  command: string,
  args: readonly string[],
  options: RunOptions,
): Promise<ProcessSample> {
  const statsDir = mkdtempSync(join(tmpdir(), 'tidemark-bench-time-'));
  const statsFile = join(statsDir, 'rusage');
  const gnuTime = existsSync(GNU_TIME);
  const [file, argv] = gnuTime
    ? [GNU_TIME, ['-f', '%M %U %S', '-o', statsFile, command, ...args]]
    : [command, [...args]];
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries({ ...process.env, ...options.env })) if (v !== undefined) env[k] = v;

  return new Promise((resolve, reject) => {
    const started = performance.now();
    // Its own process group, so that a timeout stops the command together with anything it started.
    const child = spawn(file, argv, {
      cwd: options.cwd,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    let tail = '';
    const keep = (d: Buffer) => {
      tail = (tail + d.toString('utf8')).slice(-TAIL);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
    }, options.timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      rmSync(statsDir, { recursive: true, force: true });
      reject(error);
    });
    child.on('close', (code) => {
      const wallMs = performance.now() - started;
      clearTimeout(timer);
      let maxRssKiB: number | null = null;
      let cpuMs: number | null = null;
      if (gnuTime && !timedOut && existsSync(statsFile)) {
        // GNU time writes "Command exited with non-zero status N" before the figures when the command fails.
        const last = readFileSync(statsFile, 'utf8').trim().split('\n').at(-1) ?? '';
        const [rss, user, sys] = last.split(' ').map(Number);
        if (rss !== undefined && Number.isFinite(rss)) maxRssKiB = rss;
        if (user !== undefined && sys !== undefined && Number.isFinite(user + sys))
          cpuMs = (user + sys) * 1000;
      }
      rmSync(statsDir, { recursive: true, force: true });
      resolve({ wallMs, maxRssKiB, cpuMs, exitCode: code, timedOut, outputTail: tail });
    });
  });
}
