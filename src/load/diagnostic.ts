import type { DataPath, ParsedDocument } from './source.js';
import type { Diagnostic, DiagnosticSeverity } from './types.js';

/** Collects diagnostics for one load; positions come from the document the problem was found in. */
export class DiagnosticSink {
  readonly list: Diagnostic[] = [];

  add(
    doc: ParsedDocument,
    path: DataPath,
    code: string,
    message: string,
    options: { hint?: string | null; which?: 'key' | 'value'; severity?: DiagnosticSeverity } = {},
  ): void {
    const pos = doc.at(path, options.which ?? 'key');
    this.list.push({
      file: pos.file,
      line: pos.line,
      col: pos.col,
      path: dottedPath(path),
      code,
      severity: options.severity ?? 'error',
      message,
      hint: options.hint ?? null,
    });
  }

  push(d: Diagnostic): void {
    this.list.push(d);
  }

  hasErrors(): boolean {
    return this.list.some((d) => d.severity === 'error');
  }
}

/** For checks run with `probing` (origin.ts): counts what they would report, places nothing. */
export class ProbeSink extends DiagnosticSink {
  found = 0;

  override add(): void {
    this.found++;
  }

  override push(): void {
    this.found++;
  }
}

export function dottedPath(path: DataPath): string {
  return path
    .map((s) => (typeof s === 'number' ? `[${s}]` : s))
    .join('.')
    .replaceAll('.[', '[');
}

/** All problems once each, in reading order. */
export function sortDiagnostics(list: readonly Diagnostic[]): Diagnostic[] {
  const seen = new Set<string>();
  const out: Diagnostic[] = [];
  for (const d of list) {
    const key = `${d.file}\0${d.line}\0${d.col}\0${d.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(d);
  }
  const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  return out.sort(
    (a, b) => cmp(a.file, b.file) || a.line - b.line || a.col - b.col || cmp(a.message, b.message),
  );
}
