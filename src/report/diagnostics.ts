import type { Diagnostic } from '../load/types.js';

/** `file:line:col: error: message` lines, then an indented hint, in the order given. */
export function formatDiagnosticsText(diagnostics: readonly Diagnostic[]): string {
  return diagnostics
    .map((d) => {
      const head = `${d.file}:${d.line}:${d.col}: ${d.severity}: ${d.message}`;
      return d.hint ? `${head}\n  hint: ${d.hint}\n` : `${head}\n`;
    })
    .join('');
}

export function formatDiagnosticsJson(diagnostics: readonly Diagnostic[]): string {
  return `${JSON.stringify({ valid: !diagnostics.some((d) => d.severity === 'error'), diagnostics }, null, 2)}\n`;
}
