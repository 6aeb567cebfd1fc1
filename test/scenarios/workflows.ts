import { spawn } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { CLI, ROOT } from '../helpers/cli.js';

/**
 * Runs the `run:` steps of the GitHub Actions workflows in docs/examples/ the way a runner would, so the
 * documented commands are the tested ones. Steps that need GitHub itself (`uses:` actions, `gh`, `npm ci`,
 * `apt-get`) are skipped; the test stands in for them (the plan file an artifact would carry is simply left in
 * the shared project directory). `npx tidemark` runs the built CLI through a `tidemark` shim on PATH.
 */

export const EXAMPLES = join(ROOT, 'docs/examples');

interface WorkflowStep {
  readonly name?: string;
  readonly id?: string;
  readonly uses?: string;
  readonly run?: string;
  readonly env?: Record<string, string>;
}

interface WorkflowJob {
  readonly env?: Record<string, string>;
  readonly steps: readonly WorkflowStep[];
}

export interface Workflow {
  readonly name: string;
  readonly jobs: Record<string, WorkflowJob>;
}

export interface StepRun {
  readonly name: string;
  /** The script as run, after expressions were substituted. */
  readonly script: string;
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  readonly outputs: Record<string, string>;
}

export function loadWorkflow(file: string): Workflow {
  return parse(readFileSync(join(EXAMPLES, file), 'utf8')) as Workflow;
}

const SKIPPED = /\b(gh|npm ci|apt-get|apt\.postgresql\.org\.sh)\b/;

/** The `run:` steps of a job that the test executes: those that call tidemark or only shape its inputs. */
export function runnableSteps(job: WorkflowJob): WorkflowStep[] {
  return job.steps.filter((s) => s.run !== undefined && !SKIPPED.test(s.run));
}

/** Every `npx tidemark …` command line in a workflow. */
export function tidemarkCommands(workflow: Workflow): string[] {
  return Object.values(workflow.jobs).flatMap((job) =>
    job.steps
      .flatMap((s) => (s.run ?? '').split('\n').filter((l) => /\bnpx tidemark\b/.test(l)))
      .map((l) => l.trim()),
  );
}

/**
 * Substitute `${{ … }}` from `context` (keyed by the expression text); an expression the test did not
 * provide fails the run, so a workflow edited to need something new cannot pass unnoticed.
 */
export function substitute(text: string, context: Readonly<Record<string, string>>): string {
  return text.replace(/\$\{\{\s*(.*?)\s*\}\}/g, (_, expr: string) => {
    const value = context[expr];
    if (value === undefined) throw new Error(`workflow expression \${{ ${expr} }} has no value in the test`);
    return value;
  });
}

function tidemarkShim(dir: string): string {
  const bin = join(dir, '.test-bin');
  mkdirSync(bin, { recursive: true });
  const shim = join(bin, 'tidemark');
  // TIDEMARK_TEST_APPLY_ARGS: flags the test adds to apply only (--no-snapshot where no pg_dump is new enough).
  writeFileSync(
    shim,
    [
      '#!/bin/sh',
      `if [ "$1" = apply ] && [ -n "$TIDEMARK_TEST_APPLY_ARGS" ]; then exec "${process.execPath}" "${CLI}" "$@" $TIDEMARK_TEST_APPLY_ARGS; fi`,
      `exec "${process.execPath}" "${CLI}" "$@"`,
      '',
    ].join('\n'),
  );
  chmodSync(shim, 0o755);
  return bin;
}

function runScript(
  script: string,
  cwd: string,
  env: NodeJS.ProcessEnv,
): Promise<Omit<StepRun, 'name' | 'script' | 'outputs'>> {
  return new Promise((resolve, reject) => {
    // GitHub runs `run:` with bash -e {0}.
    const child = spawn('bash', ['--noprofile', '--norc', '-eo', 'pipefail', '-c', script], {
      cwd,
      env,
      stdio: 'pipe',
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
    child.stdin.end();
  });
}

/**
 * Run one job's runnable steps in order in `dir`, stopping at the first failing step (as Actions does).
 * Step outputs written to $GITHUB_OUTPUT become `steps.<id>.outputs.<name>` for later steps.
 */
export async function runJob(
  workflow: Workflow,
  jobName: string,
  dir: string,
  context: Readonly<Record<string, string>>,
  options: { applyArgs?: readonly string[] } = {},
): Promise<StepRun[]> {
  const job = workflow.jobs[jobName];
  if (!job) throw new Error(`workflow ${workflow.name} has no job ${jobName}`);
  const bin = tidemarkShim(dir);
  const ctx: Record<string, string> = { ...context };
  const runs: StepRun[] = [];
  for (const [i, step] of runnableSteps(job).entries()) {
    const outputFile = join(dir, `.test-github-output-${i}`);
    writeFileSync(outputFile, '');
    const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1', GITHUB_OUTPUT: outputFile };
    for (const k of ['DATABASE_URL', 'SHADOW_DATABASE_URL', 'TIDEMARK_SCHEMA_DIR', 'TIDEMARK_SCHEMAS'])
      delete env[k];
    for (const [k, v] of Object.entries({ ...job.env, ...step.env })) env[k] = substitute(v, ctx);
    env.PATH = `${bin}:${env.PATH ?? ''}`;
    if (options.applyArgs?.length) env.TIDEMARK_TEST_APPLY_ARGS = options.applyArgs.join(' ');
    const script = substitute(step.run ?? '', ctx).replaceAll('npx tidemark', 'tidemark');
    const result = await runScript(script, dir, env);
    const outputs: Record<string, string> = {};
    for (const line of readFileSync(outputFile, 'utf8').split('\n')) {
      const eq = line.indexOf('=');
      if (eq > 0) outputs[line.slice(0, eq)] = line.slice(eq + 1);
    }
    if (step.id) for (const [k, v] of Object.entries(outputs)) ctx[`steps.${step.id}.outputs.${k}`] = v;
    runs.push({ name: step.name ?? step.run ?? '', script, ...result, outputs });
    if (result.code !== 0) break;
  }
  return runs;
}
