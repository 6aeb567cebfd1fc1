import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, relative } from 'node:path';
import { parseDuration } from '../../config/config.js';
import { openTarget } from '../../db/connect.js';
import { planIsEmpty } from '../../plan/build.js';
import { planForTarget } from '../../plan/create.js';
import { DEFAULT_PRECHECK_OPTIONS } from '../../plan/prechecks/run.js';
import type { Plan } from '../../plan/types.js';
import { colorEnabled } from '../../report/colors.js';
import { renderPlanJson } from '../../report/plan-json.js';
import { renderPlanMarkdown } from '../../report/plan-markdown.js';
import { renderPlanSql } from '../../report/plan-sql.js';
import { renderPlanText } from '../../report/plan-text.js';
import { configFromOptions, parseHazardList } from '../options.js';
import type { CommandContext } from '../run.js';

export function renderPlan(plan: Plan, format: string, ctx: CommandContext, targetLabel: string): string {
  switch (format) {
    case 'json':
      return renderPlanJson(plan);
    case 'sql':
      return renderPlanSql(plan);
    case 'markdown':
      return renderPlanMarkdown(plan);
    default:
      return renderPlanText(plan, { color: colorEnabled(ctx.stdout), targetLabel });
  }
}

export async function run(ctx: CommandContext): Promise<number> {
  const o = ctx.options;
  const config = configFromOptions(o);
  const allowHazards = parseHazardList(o.allowHazards);
  const target = await openTarget(config);
  try {
    const result = await planForTarget({
      config,
      targetUrl: target.url,
      prechecks: o.prechecks !== false,
      precheck: {
        ...DEFAULT_PRECHECK_OPTIONS,
        timeoutMs: parseDuration(
          typeof o.precheckTimeout === 'string' ? o.precheckTimeout : '5s',
          '--precheck-timeout',
        ),
      },
      allowHazards,
    });
    const { plan, timings } = result;
    if (process.env.TIDEMARK_TIMINGS) ctx.stderr.write(`timings: ${JSON.stringify(timings)}\n`);
    if (typeof o.out === 'string') {
      mkdirSync(dirname(o.out), { recursive: true });
      writeFileSync(o.out, renderPlanJson(plan));
    }
    ctx.stdout.write(renderPlan(plan, typeof o.format === 'string' ? o.format : 'text', ctx, target.label));
    if (typeof o.out === 'string') {
      ctx.stderr.write(
        `saved plan to ${relative(process.cwd(), o.out) || o.out}; apply it with: tidemark apply --plan ${o.out}\n`,
      );
    }
    return o.detailedExitcode && !planIsEmpty(plan) ? 2 : 0;
  } finally {
    await target.close();
  }
}
