import type { UnmanagedObject } from '../model/types.js';
import { palette } from '../report/colors.js';
import type { DriftItem } from './describe.js';

/** Drift reports: text for people, JSON for machines, Markdown for PR comments, GitHub workflow annotations. */

export interface DriftReport {
  readonly items: readonly DriftItem[];
  readonly unmanaged: readonly UnmanagedObject[];
  readonly target: string;
}

function unmanagedText(u: UnmanagedObject): string {
  return `${u.kind} ${u.schema}.${u.name}${u.table ? ` on ${u.table}` : ''}`;
}

function where(item: DriftItem): string {
  return item.source ? `${item.source.file}:${item.source.line}:${item.source.col}: ` : '';
}

export function renderDriftText(report: DriftReport, color: boolean): string {
  const p = palette(color);
  const out: string[] = [];
  if (report.items.length === 0) out.push(p.green(`No drift: ${report.target} matches schema/.`));
  else {
    out.push(
      p.bold(
        `Drift: ${report.items.length} difference${report.items.length === 1 ? '' : 's'} between ${report.target} and schema/`,
      ),
    );
    for (const item of report.items) out.push(`  ${p.dim(where(item))}${item.message}`);
    out.push('', p.dim('Run tidemark plan to see the steps that would bring the database back to schema/.'));
  }
  if (report.unmanaged.length > 0) {
    out.push(
      '',
      p.dim(`Not managed by tidemark (not compared): ${report.unmanaged.map(unmanagedText).join(', ')}`),
    );
  }
  return `${out.join('\n')}\n`;
}

export function renderDriftJson(report: DriftReport): string {
  return `${JSON.stringify({ drift: report.items.length > 0, differences: report.items, unmanaged: report.unmanaged }, null, 2)}\n`;
}

export function renderDriftMarkdown(report: DriftReport): string {
  const out = ['### tidemark drift', ''];
  if (report.items.length === 0) out.push('**No drift**: the database matches `schema/`.');
  else {
    out.push(
      `**${report.items.length} difference${report.items.length === 1 ? '' : 's'}** between the database and \`schema/\`:`,
      '',
    );
    for (const item of report.items) {
      const loc = item.source ? ` (\`${item.source.file}:${item.source.line}\`)` : '';
      out.push(`- ${item.message}${loc}`);
    }
  }
  if (report.unmanaged.length > 0) {
    out.push(
      '',
      `Not managed by tidemark (not compared): ${report.unmanaged.map((u) => `\`${unmanagedText(u)}\``).join(', ')}`,
    );
  }
  return `${out.join('\n')}\n`;
}

/** GitHub Actions workflow commands: an error annotation on the YAML line each difference concerns. */
export function renderDriftGithub(report: DriftReport): string {
  const esc = (s: string) => s.replaceAll('%', '%25').replaceAll('\r', '%0D').replaceAll('\n', '%0A');
  const prop = (s: string) => esc(s).replaceAll(':', '%3A').replaceAll(',', '%2C');
  const out = report.items.map((item) => {
    const loc = item.source
      ? ` file=${prop(item.source.file)},line=${item.source.line},col=${item.source.col},`
      : ' ';
    return `::error${loc}title=${prop('tidemark drift')}::${esc(item.message)}`;
  });
  for (const u of report.unmanaged)
    out.push(`::notice title=${prop('tidemark: not managed')}::${esc(unmanagedText(u))}`);
  out.push(report.items.length === 0 ? 'No drift.' : `${report.items.length} difference(s) found.`);
  return `${out.join('\n')}\n`;
}
