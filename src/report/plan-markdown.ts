import type { Plan } from '../plan/types.js';
import { renderPlanSql } from './plan-sql.js';
import { allSteps, stepMarker, summaryLine } from './plan-text.js';

/** Markdown for a pull-request comment: summary, hazards called out, a step table, the SQL folded away. */
export function renderPlanMarkdown(plan: Plan, options: { title?: string } = {}): string {
  const out: string[] = [`### ${options.title ?? 'tidemark plan'}`, ''];
  if (plan.groups.length === 0) {
    out.push('**No changes**: the database matches the desired state.');
  } else {
    out.push(`**${summaryLine(plan)}**`, '');
    const steps = allSteps(plan);
    const risky = steps.filter((s) => s.hazards.some((h) => h.severity !== 'low'));
    if (risky.length > 0) {
      out.push('> [!WARNING]');
      out.push('> Hazards that need approval at apply (`--allow-hazards`):');
      for (const s of risky) {
        for (const h of s.hazards.filter((x) => x.severity !== 'low')) {
          out.push(`> - step ${s.n}: **${h.code}** (${h.severity}) ${escapeCell(h.message)}`);
        }
      }
      out.push('');
    }
    out.push('| # | | Step | Lock | Transaction | Hazards |', '|---:|:-:|---|---|---|---|');
    for (const g of plan.groups) {
      for (const s of g.steps) {
        const hazards = s.hazards.map((h) => `\`${h.code}\``).join(' ') || '—';
        const tx = s.transactional
          ? g.steps.length > 1
            ? `shared (${g.steps.length} steps)`
            : 'own'
          : 'none';
        out.push(
          `| ${s.n} | ${stepMarker(s)} | ${escapeCell(s.description)} | ${s.lock} | ${tx} | ${hazards} |`,
        );
      }
    }
    out.push(
      '',
      '<details><summary>SQL</summary>',
      '',
      '```sql',
      renderPlanSql(plan).trimEnd(),
      '```',
      '',
      '</details>',
    );
  }
  if (plan.unmanaged.length > 0) {
    out.push(
      '',
      `<details><summary>Not managed by tidemark (${plan.unmanaged.length}, left as they are)</summary>`,
      '',
    );
    for (const u of plan.unmanaged)
      out.push(`- ${u.kind} \`${u.schema}.${u.name}\`${u.table ? ` on \`${u.table}\`` : ''}`);
    out.push('', '</details>');
  }
  out.push(
    '',
    `<sub>from \`${plan.from.fingerprint.slice(0, 19)}…\` to \`${plan.to.fingerprint.slice(0, 19)}…\` · tidemark ${plan.toolVersion}</sub>`,
  );
  return `${out.join('\n')}\n`;
}

function escapeCell(text: string): string {
  return text.replaceAll('|', '\\|').replaceAll('\n', ' ');
}
