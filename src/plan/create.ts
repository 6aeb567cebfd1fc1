import type { Config } from '../config/config.js';
import { connect, withClient } from '../db/connect.js';
import { annotationsOf, type Change, diffModels } from '../diff/index.js';
import { InputError } from '../errors.js';
import { introspect } from '../introspect/index.js';
import { loadDesiredState } from '../load/index.js';
import type { DesiredState } from '../load/types.js';
import { qualifiedKey } from '../model/keys.js';
import type { IntrospectionResult, Model, Table } from '../model/types.js';
import { compileDesired } from '../shadow/compile.js';
import { canonicalTables } from '../shadow/fixpoint.js';
import { liveModelIfUnchanged, mergeCompiled, splitByLiveModel } from '../shadow/incremental.js';
import { readPrelude } from '../shadow/prelude.js';
import { TOOL_VERSION } from '../version.js';
import { buildPlan } from './build.js';
import { type PrecheckOptions, runPrechecks } from './prechecks/run.js';
import type { HazardCode, Plan } from './types.js';

export interface PlanTimings {
  readonly loadMs: number;
  readonly introspectMs: number;
  readonly compileMs: number;
  readonly diffMs: number;
  readonly planMs: number;
  /** Tables sent to the shadow database (the rest matched the live catalog exactly). */
  readonly compiledTables: number;
}

export interface PlanForTargetOptions {
  readonly config: Config;
  readonly targetUrl: string;
  readonly prechecks: boolean;
  readonly allowHazards: readonly HazardCode[];
  readonly precheck?: PrecheckOptions;
  /** Compile every table on the shadow instead of only the ones that differ from live. */
  readonly fullCompile?: boolean;
}

export interface PlanForTargetResult {
  readonly plan: Plan;
  /** The differences the plan carries out, for reports that speak of objects rather than steps. */
  readonly changes: readonly Change[];
  readonly live: IntrospectionResult;
  /** The model the database will have after the plan (the plan's `to`). */
  readonly desired: Model;
  readonly state: DesiredState;
  readonly timings: PlanTimings;
}

/** Managed schemas: configured, else those the YAML names, else public. */
export function managedSchemas(config: Config, state: DesiredState): string[] {
  const schemas = config.schemas ?? state.schemas;
  return schemas.length > 0 ? [...schemas] : ['public'];
}

export async function loadOrThrow(config: Config): Promise<DesiredState> {
  const result = await loadDesiredState(config.schemaDir, { ignore: config.ignore, schemas: config.schemas });
  if (!result.state) {
    const errors = result.diagnostics.filter((d) => d.severity === 'error').length;
    throw new InputError(
      `${errors} problem${errors === 1 ? '' : 's'} in the desired state; nothing was planned`,
      result.diagnostics,
    );
  }
  return result.state;
}

/** Load schema/, read the live database, compile what differs on a shadow, diff, and plan. */
export async function planForTarget(options: PlanForTargetOptions): Promise<PlanForTargetResult> {
  const { config } = options;
  let t = performance.now();
  const lap = () => {
    const now = performance.now();
    const ms = now - t;
    t = now;
    return Math.round(ms);
  };
  const state = await loadOrThrow(config);
  const loadMs = lap();
  const schemas = managedSchemas(config, state);
  const client = await connect(options.targetUrl);
  let live: IntrospectionResult;
  let prelude: string[];
  try {
    live = await introspect(client, { schemas, ignore: config.ignore });
    prelude = live.unmanaged.length > 0 ? await readPrelude(client, schemas) : [];
  } finally {
    await client.end().catch(() => {});
  }
  const introspectMs = lap();
  const split = options.fullCompile
    ? {
        compile: state.tables,
        changed: new Set(state.tables.map(qualifiedKey)),
        support: new Set<string>(),
      }
    : splitByLiveModel(state, live.model);
  const compileOptions = {
    serverUrl: options.targetUrl,
    shadowUrl: config.shadowUrl,
    schemas,
    ignore: config.ignore,
    prelude,
  };
  const unchanged = options.fullCompile ? null : liveModelIfUnchanged(state, live.model, split.changed);
  let desiredModel: Model;
  let liveStable: ReadonlyMap<string, Table> = new Map();
  if (unchanged) {
    desiredModel = unchanged;
  } else {
    const compiled = await compileDesired(state, {
      ...compileOptions,
      tables: split.compile,
      support: split.support,
    });
    const desiredFirst = mergeCompiled(state, compiled.model, live.model, split.changed);
    // One more trip through PostgreSQL on both sides, so expressions are compared in their stable form.
    const [desiredStable, liveStableTables] = await Promise.all([
      canonicalTables(desiredFirst, split.changed, compileOptions),
      canonicalTables(live.model, split.changed, compileOptions),
    ]);
    liveStable = liveStableTables;
    desiredModel = {
      ...desiredFirst,
      tables: desiredFirst.tables.map((t) => desiredStable.get(qualifiedKey(t)) ?? t),
    };
  }
  const compileMs = lap();
  const diff = diffModels(live.model, desiredModel, annotationsOf(state), liveStable);
  const diffMs = lap();
  const plan = buildPlan({
    live,
    changes: diff.changes,
    expected: diff.expected,
    schemas,
    schemaHash: state.hash,
    toolVersion: TOOL_VERSION,
    approvedHazards: options.allowHazards,
  });
  const checked = options.prechecks
    ? await withClient(options.targetUrl, (c) =>
        runPrechecks(c, plan, diff.changes, live.tableStats, options.precheck),
      )
    : plan;
  const planMs = lap();
  return {
    plan: checked,
    changes: diff.changes,
    live,
    desired: diff.expected,
    state,
    timings: {
      loadMs,
      introspectMs,
      compileMs,
      diffMs,
      planMs,
      compiledTables: unchanged ? 0 : split.compile.length,
    },
  };
}
