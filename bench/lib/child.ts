import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build, type Plugin } from 'esbuild';

/**
 * Bundle a benchmark child to plain JavaScript (dependencies left as imports), so each measured process is
 * bare `node` with no TypeScript loader inflating its start-up time and memory. Written under
 * node_modules/.cache so the bundle resolves the project's node_modules; the name carries the process id so
 * two benchmark runs never overwrite each other's child. Sources that locate files relative to
 * themselves (`new URL('../package.json', import.meta.url)`) keep their own location.
 */
export async function bundleChild(entry: string, name: string): Promise<string> {
  const outfile = join(
    import.meta.dirname,
    `../../node_modules/.cache/tidemark-bench/${name}-${process.pid}.mjs`,
  );
  const keepImportMeta: Plugin = {
    name: 'keep-import-meta-url',
    setup(b) {
      b.onLoad({ filter: /[/\\]src[/\\].*\.ts$/ }, (args) => ({
        contents: readFileSync(args.path, 'utf8').replaceAll(
          'import.meta.url',
          JSON.stringify(pathToFileURL(args.path).href),
        ),
        loader: 'ts',
      }));
    },
  };
  await build({
    entryPoints: [entry],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    outfile,
    logLevel: 'warning',
    plugins: [keepImportMeta],
  });
  return outfile;
}

export interface ChildSample {
  readonly mode: string;
  /** In-process time of the measured operation. */
  readonly ms: number;
  /** CPU time of the whole child process (user + system), start-up included. */
  readonly cpuMs: number;
  /** Whole process, start-up included. */
  readonly wallMs: number;
  readonly maxRssKiB: number;
  readonly [key: string]: unknown;
}

/** Run the bundled child once; URLs go in the environment, never in argv. */
export function runChild(
  script: string,
  args: readonly string[],
  env: Record<string, string>,
  extraNodeArgs: readonly string[] = [],
): Promise<ChildSample> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, [...extraNodeArgs, script, ...args], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
    });
    child.on('error', reject);
    child.on('close', (code) => {
      const wallMs = performance.now() - started;
      if (code !== 0) return reject(new Error(`${args.join(' ')} run exited with ${code}`));
      const parsed = JSON.parse(out.trim().split('\n').at(-1) ?? '{}') as ChildSample;
      resolve({ ...parsed, wallMs });
    });
  });
}

export const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor((s.length - 1) / 2)] ?? Number.NaN;
};
