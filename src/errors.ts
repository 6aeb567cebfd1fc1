import type { Diagnostic } from './load/types.js';

/**
 * Failures with stable codes. The CLI maps them to exit codes and messages in one place (cli/run.ts);
 * everything else throws or returns values and never exits.
 */
export class TidemarkError extends Error {
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/** The user's input is wrong: bad YAML, bad config, bad flags. */
export class InputError extends TidemarkError {
  readonly diagnostics: readonly Diagnostic[];
  constructor(message: string, diagnostics: readonly Diagnostic[] = []) {
    super('INPUT', message);
    this.diagnostics = diagnostics;
  }
}

export class ConfigError extends TidemarkError {
  constructor(message: string) {
    super('CONFIG', message);
  }
}

/** Connecting to or querying a database failed. */
export class DatabaseError extends TidemarkError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('DATABASE', message, options);
  }
}

/** A bug in tidemark: an invariant did not hold. */
export class InternalError extends TidemarkError {
  constructor(message: string) {
    super('INTERNAL', message);
  }
}

export function assertNever(value: never, what = 'value'): never {
  throw new InternalError(`unexpected ${what}: ${JSON.stringify(value)}`);
}

/** Remove the password from a connection string before it is shown anywhere. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '****';
    return u.toString();
  } catch {
    return url.replace(/(\/\/[^:/@]+:)[^@]*@/, '$1****@');
  }
}
