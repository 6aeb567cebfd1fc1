import { openTarget } from '../../db/connect.js';
import { describeChanges } from '../../drift/describe.js';
import {
  type DriftReport,
  renderDriftGithub,
  renderDriftJson,
  renderDriftMarkdown,
  renderDriftText,
} from '../../drift/render.js';
import { planForTarget } from '../../plan/create.js';
import { colorEnabled } from '../../report/colors.js';
import { configFromOptions } from '../options.js';
import type { CommandContext } from '../run.js';

/** Exit 0 when the database matches schema/, 2 when it drifted, 1 on error (decided in run.ts). */
export async function run(ctx: CommandContext): Promise<number> {
  const o = ctx.options;
  const config = configFromOptions(o);
  const target = await openTarget(config);
  try {
    const result = await planForTarget({
      config,
      targetUrl: target.url,
      prechecks: false,
      allowHazards: [],
      // A difference an unmanaged view blocks is still drift: reported, not refused.
      refuseBlocked: false,
    });
    const report: DriftReport = {
      items: describeChanges(result.changes, result.state),
      unmanaged: result.live.unmanaged,
      target: target.label,
    };
    const format = typeof o.format === 'string' ? o.format : 'text';
    const text =
      format === 'json'
        ? renderDriftJson(report)
        : format === 'markdown'
          ? renderDriftMarkdown(report)
          : format === 'github'
            ? renderDriftGithub(report)
            : renderDriftText(report, colorEnabled(ctx.stdout));
    ctx.stdout.write(text);
    return report.items.length > 0 ? 2 : 0;
  } finally {
    await target.close();
  }
}
