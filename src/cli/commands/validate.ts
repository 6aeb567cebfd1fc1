import { relative } from 'node:path';
import { resolveConfig } from '../../config/config.js';
import { loadDesiredState } from '../../load/index.js';
import type { DesiredState } from '../../load/types.js';
import { formatDiagnosticsJson, formatDiagnosticsText } from '../../report/diagnostics.js';
import type { CommandContext } from '../run.js';

/** `tidemark validate`: the desired state checked offline; 0 when valid, 1 when any error was found. */
export async function run(ctx: CommandContext): Promise<number> {
  const opts = ctx.options as { schemaDir?: string; config?: string; format?: string };
  const config = resolveConfig({
    ...(opts.schemaDir ? { schemaDir: opts.schemaDir } : {}),
    ...(opts.config ? { config: opts.config } : {}),
  });
  const result = await loadDesiredState(config.schemaDir, {
    ignore: config.ignore,
    schemas: config.schemas,
    cacheDir: config.cacheDir,
  });
  const valid = result.state !== null;
  if (opts.format === 'json') {
    ctx.stdout.write(formatDiagnosticsJson(result.diagnostics));
    return valid ? 0 : 1;
  }
  if (result.diagnostics.length > 0) ctx.stderr.write(formatDiagnosticsText(result.diagnostics));
  const dir = `${relative(process.cwd(), config.schemaDir) || '.'}/`;
  if (result.state) ctx.stdout.write(`${dir} is valid: ${summary(result.state)}\n`);
  else {
    const errors = result.diagnostics.filter((d) => d.severity === 'error').length;
    ctx.stderr.write(`${dir} has ${plural(errors, 'error')}\n`);
  }
  return valid ? 0 : 1;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

export function summary(state: DesiredState): string {
  const count = (f: (t: DesiredState['tables'][number]) => number) =>
    state.tables.reduce((n, t) => n + f(t), 0);
  const parts = [
    plural(state.tables.length, 'table'),
    plural(
      count((t) => t.columns.length),
      'column',
    ),
    plural(
      count((t) => t.foreignKeys.length),
      'foreign key',
    ),
    plural(
      count((t) => t.indexes.length),
      'index',
    ).replace(/indexs$/, 'indexes'),
    plural(
      count((t) => t.checks.length),
      'check',
    ),
    plural(state.enums.length, 'enum'),
    plural(state.sequences.length, 'sequence'),
    plural(state.extensions.length, 'extension'),
  ];
  return `${parts.join(', ')} in ${plural(state.files.length, 'file')}`;
}
