import pg from 'pg';
import { resolveConfig } from '../../src/config/config.js';
import { introspect } from '../../src/introspect/index.js';
import { fingerprint } from '../../src/model/fingerprint.js';
import { type PlanForTargetResult, planForTarget } from '../../src/plan/create.js';
import type { PrecheckOptions } from '../../src/plan/prechecks/run.js';
import type { Plan } from '../../src/plan/types.js';

/** Plan `schemaDir` against the database at `url`, as `tidemark plan` would. */
export async function planAgainst(
  url: string,
  schemaDir: string,
  extra: { fullCompile?: boolean; schemas?: string; prechecks?: boolean; precheck?: PrecheckOptions } = {},
): Promise<PlanForTargetResult> {
  const config = resolveConfig({ db: url, schemaDir, schemas: extra.schemas }, {}, process.cwd());
  return planForTarget({
    config,
    targetUrl: url,
    prechecks: extra.prechecks ?? false,
    precheck: extra.precheck,
    allowHazards: [],
    fullCompile: extra.fullCompile,
  });
}

/**
 * Run a plan's SQL the way psql would run the SQL script: each transactional group in BEGIN … COMMIT, every
 * other step on its own. Deliberately not the apply engine, so the plan's SQL itself is what is tested.
 */
export async function executePlanSql(url: string, plan: Plan): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    for (const group of plan.groups) {
      if (group.transactional) {
        await client
          .query(`BEGIN;\n${group.steps.map((s) => `${s.sql};`).join('\n')}\nCOMMIT;`)
          .catch(async (e) => {
            await client.query('ROLLBACK').catch(() => {});
            throw new Error(
              `group with steps ${group.steps.map((s) => s.n).join(', ')} failed: ${e.message}`,
            );
          });
      } else {
        for (const step of group.steps) {
          await client.query(step.sql).catch((e) => {
            throw new Error(`step ${step.n} (${step.sql}) failed: ${e.message}`);
          });
        }
      }
    }
  } finally {
    await client.end();
  }
}

export interface Convergence {
  readonly first: PlanForTargetResult;
  readonly second: PlanForTargetResult;
  readonly liveFingerprint: string;
}

/** Law 2: plan, apply, then the second plan is empty and the live model is the one the plan promised. */
export async function converge(url: string, schemaDir: string, schemas?: string): Promise<Convergence> {
  const first = await planAgainst(url, schemaDir, { schemas });
  await executePlanSql(url, first.plan);
  const second = await planAgainst(url, schemaDir, { schemas });
  const live = await introspect(url, { schemas: first.plan.schemas });
  return { first, second, liveFingerprint: fingerprint(live.model) };
}
