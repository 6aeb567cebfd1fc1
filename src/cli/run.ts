import type { Command } from 'commander';
import { InputError, InternalError, TidemarkError } from '../errors.js';
import { formatDiagnosticsText } from '../report/diagnostics.js';

export interface CommandContext {
  /** Options of the command merged with the global ones (config, color). */
  readonly options: Record<string, unknown>;
  readonly stdout: NodeJS.WritableStream & { isTTY?: boolean };
  readonly stderr: NodeJS.WritableStream & { isTTY?: boolean };
}

/** A command module: does its work and returns the exit code. It never calls process.exit. */
export type CommandModule = { run(ctx: CommandContext): Promise<number> };

/** The one place where failures become messages and exit codes. */
export async function runCommand(name: string, opts: Record<string, unknown>, cmd: Command): Promise<void> {
  const options = { ...cmd.optsWithGlobals(), ...opts };
  if (options.color === false) process.env.NO_COLOR = '1';
  const ctx: CommandContext = { options, stdout: process.stdout, stderr: process.stderr };
  let code: number;
  try {
    const mod = (await import(`./commands/${name}.js`)) as CommandModule;
    code = await mod.run(ctx);
  } catch (error) {
    code = reportError(error, ctx);
  }
  await exitWith(code);
}

/**
 * Exit explicitly once output is flushed. The embedded PostgreSQL package installs an exit hook that would
 * otherwise end the process with status 0 after the server stops, hiding a failure's exit code.
 */
async function exitWith(code: number): Promise<never> {
  process.exitCode = code;
  const drain = (stream: NodeJS.WriteStream) =>
    new Promise<void>((resolve) => (stream.writableNeedDrain ? stream.once('drain', resolve) : resolve()));
  await Promise.all([drain(process.stdout), drain(process.stderr)]);
  process.exit(code);
}

export function reportError(error: unknown, ctx: CommandContext): number {
  if (error instanceof InputError) {
    if (error.diagnostics.length > 0) ctx.stderr.write(formatDiagnosticsText(error.diagnostics));
    ctx.stderr.write(`error: ${error.message}\n`);
    return 1;
  }
  if (error instanceof InternalError) {
    ctx.stderr.write(`internal error (a bug in tidemark, please report it): ${error.message}\n`);
    if (error.stack) ctx.stderr.write(`${error.stack}\n`);
    return 1;
  }
  if (error instanceof TidemarkError) {
    ctx.stderr.write(`error: ${error.message}\n`);
    return 1;
  }
  const message = error instanceof Error ? error.message : String(error);
  ctx.stderr.write(`error: ${message}\n`);
  if (process.env.TIDEMARK_DEBUG && error instanceof Error && error.stack)
    ctx.stderr.write(`${error.stack}\n`);
  return 1;
}
