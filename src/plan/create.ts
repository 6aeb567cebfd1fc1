import type { Config } from '../config/config.js';
import { withClient } from '../db/connect.js';
import { annotationsOf, type Change, diffModels } from '../diff/index.js';
import { InputError } from '../errors.js';
import { type EarlyLoad, earlyHolds, type LoadOptions, loadDesiredState } from '../load/index.js';
import type { DesiredState, DesiredTable, LoadResult } from '../load/types.js';
import { qualifiedKey } from '../model/keys.js';
import type { IntrospectionResult, Model, Table } from '../model/types.js';
import type { CompileOptions } from '../shadow/compile.js';
import { stableForms } from '../shadow/fixpoint.js';
import { compileSet, liveModelIfUnchanged, mergeCompiled, splitByLiveModel } from '../shadow/incremental.js';
import { ShadowPool } from '../shadow/pool.js';
import { readPrelude } from '../shadow/prelude.js';
import { compileChanged, compileLikelyChanged, type Speculation } from '../shadow/speculate.js';
import { TOOL_VERSION } from '../version.js';
import { buildPlan } from './build.js';
import { typeChangesWithoutCast } from './casts.js';
import { nameClashes } from './clashes.js';
import { type PrecheckOptions, runPrechecks } from './prechecks/run.js';
import { guessSchemas, type LiveRead, readLive, rememberSchemas, sameList } from './read-live.js';
import { missingRequired } from './required.js';
import type { HazardCode, Plan } from './types.js';
import { blockedByUnmanaged } from './unmanaged-dependents.js';

export interface PlanTimings {
  readonly loadMs: number;
  readonly introspectMs: number;
  readonly compileMs: number;
  readonly diffMs: number;
  readonly planMs: number;
  /** Tables sent to the shadow database (the rest matched the live catalog exactly). */
  readonly compiledTables: number;
  /** Whether the compile that was used ran ahead, while the catalog was read (shadow/speculate.ts). */
  readonly compiledAhead: boolean;
  /** Whether that compile started before the load ended (from the changed files alone; load/index.ts). */
  readonly compiledEarly: boolean;
}

export interface PlanForTargetOptions {
  readonly config: Config;
  readonly targetUrl: string;
  readonly prechecks: boolean;
  readonly allowHazards: readonly HazardCode[];
  readonly precheck?: PrecheckOptions;
  /** Compile every table on the shadow instead of only the ones that differ from live. */
  readonly fullCompile?: boolean;
  /**
   * Refuse a plan that drops or retypes what an unmanaged view, policy, rule or trigger depends on
   * (plan/unmanaged-dependents.ts). Default true; drift reports the difference instead.
   */
  readonly refuseBlocked?: boolean;
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
  return (await loadForPlan(config)).state;
}

async function loadForPlan(
  config: Config,
  hooks: Pick<LoadOptions, 'onFreshFiles' | 'onChangedLoaded'> = {},
): Promise<{ state: DesiredState; cache: LoadResult['cache']; superseded: readonly DesiredTable[] }> {
  const result = await loadDesiredState(config.schemaDir, {
    ignore: config.ignore,
    schemas: config.schemas,
    cacheDir: config.cacheDir,
    ...hooks,
  });
  if (!result.state) {
    const errors = result.diagnostics.filter((d) => d.severity === 'error').length;
    throw new InputError(
      `${errors} problem${errors === 1 ? '' : 's'} in the desired state; nothing was planned`,
      result.diagnostics,
    );
  }
  return { state: result.state, cache: result.cache, superseded: result.superseded ?? [] };
}

/** Load schema/, read the live database, compile what differs on a shadow, diff, and plan. */
export async function planForTarget(options: PlanForTargetOptions): Promise<PlanForTargetResult> {
  const pool = new ShadowPool(options.targetUrl, options.config.shadowUrl);
  try {
    const result = await planWithPool(options, pool);
    await pool.close();
    return result;
  } catch (error) {
    await pool.close().catch(() => {});
    throw error;
  }
}

async function planWithPool(options: PlanForTargetOptions, pool: ShadowPool): Promise<PlanForTargetResult> {
  const { config } = options;
  // The catalog is read while the YAML loads when the managed schemas are known or can be guessed.
  const guessed = guessSchemas(config);
  const early = guessed ? readLive(options.targetUrl, guessed, config) : null;
  early?.catch(() => {});
  const start = performance.now();
  // Files changed since the last run (but not all of them: a first run or a cold CI cache) usually hold the
  // tables that differ, which will be compiled (shadow/speculate.ts): as soon as the load knows of them, the
  // shadow database of that compile is created and the definitions the shadow may need are read, while the
  // files are still parsed. (Creating the trips' databases this early too competed with the catalog read for
  // the server, and cost more than it saved; they are created while the compile runs.)
  let headStart: Promise<string[]> | null = null;
  const onFreshFiles = (fresh: readonly string[], cached: number) => {
    if (options.fullCompile || fresh.length === 0 || cached === 0) return;
    pool.prepare(1);
    if (guessed) {
      headStart = withClient(options.targetUrl, (c) => readPrelude(c, guessed));
      headStart.catch(() => {});
    }
  };
  const shadowFor = (schemas: string[]) => ({
    serverUrl: options.targetUrl,
    shadowUrl: config.shadowUrl,
    schemas,
    ignore: config.ignore,
    pool,
  });
  // The compile of the changed files' tables starts as soon as those files are loaded, while the other
  // files are decoded and the catalog is read; it is used only if the final state confirms what it was
  // started from (earlyHolds), else the compile ahead starts again from the final state.
  let ahead: { load: EarlyLoad; speculation: Speculation } | null = null;
  const onChangedLoaded = (load: EarlyLoad) => {
    if (options.fullCompile) return;
    const schemas = managedSchemas(config, load.state);
    const prelude = sameList(schemas, guessed) ? headStart : null;
    const speculation = compileLikelyChanged(
      load.state,
      load.changedFiles,
      shadowFor(schemas),
      prelude,
      load.superseded,
      false,
    );
    if (speculation) ahead = { load, speculation };
  };
  // (Set in a callback: read through a function so the type is not narrowed to null.)
  const started = () => ahead as { load: EarlyLoad; speculation: Speculation } | null;
  let loaded: Awaited<ReturnType<typeof loadForPlan>>;
  try {
    loaded = await loadForPlan(config, { onFreshFiles, onChangedLoaded });
  } catch (error) {
    await early?.catch(() => {});
    await (headStart as Promise<string[]> | null)?.catch(() => {});
    await started()?.speculation.result;
    throw error;
  }
  const { state } = loaded;
  const loadMs = Math.round(performance.now() - start);
  const schemas = managedSchemas(config, state);
  const shadow = shadowFor(schemas);
  // Compile the tables of the changed files while the catalog is read (shadow/speculate.ts): the compile
  // started early when it holds, else one from the final state.
  const changedFiles = loaded.cache && loaded.cache.hits > 0 ? loaded.cache.missed : [];
  const prelude: Promise<string[]> | null = sameList(schemas, guessed) ? headStart : null;
  const begun = started();
  const held = begun !== null && earlyHolds(begun.load, state, changedFiles) ? begun.speculation : null;
  const speculation =
    held ??
    (options.fullCompile || changedFiles.length === 0
      ? null
      : compileLikelyChanged(state, changedFiles, shadow, prelude, loaded.superseded));
  try {
    return await planLoaded(options, {
      state,
      schemas,
      guessed,
      early,
      loadMs,
      speculation,
      compiledEarly: held !== null,
      shadow,
    });
  } finally {
    // Never leave one running past the plan: their shadow databases are dropped through the pool.
    await speculation?.result;
    await begun?.speculation.result;
  }
}

interface Loaded {
  readonly state: DesiredState;
  readonly schemas: string[];
  readonly guessed: string[] | null;
  readonly early: Promise<LiveRead> | null;
  readonly loadMs: number;
  readonly speculation: Speculation | null;
  /** Whether `speculation` started before the load ended, from its early state. */
  readonly compiledEarly: boolean;
  /** Where and how shadow compiles run; the catalog read adds the prelude. */
  readonly shadow: Omit<CompileOptions, 'tables' | 'support' | 'prelude'>;
}

async function planLoaded(
  options: PlanForTargetOptions,
  { state, schemas, guessed, early, loadMs, speculation, compiledEarly, shadow }: Loaded,
): Promise<PlanForTargetResult> {
  const { config } = options;
  let t = performance.now();
  const lap = () => {
    const now = performance.now();
    const ms = now - t;
    t = now;
    return Math.round(ms);
  };
  let read: LiveRead;
  if (early && sameList(schemas, guessed)) read = await early;
  else {
    await early?.catch(() => {});
    read = await readLive(options.targetUrl, schemas, config);
  }
  rememberSchemas(config, schemas, guessed);
  const { live, prelude } = read;
  const introspectMs = read.ms;
  lap();
  const split = options.fullCompile
    ? compileSet(state, new Set(state.tables.map(qualifiedKey)))
    : await splitByLiveModel(state, live.model);
  const compileOptions = { ...shadow, prelude };
  const unchanged = options.fullCompile ? null : liveModelIfUnchanged(state, live.model, split.changed);
  let desiredModel: Model;
  let compiledAhead = false;
  let liveStable: ReadonlyMap<string, Table> = new Map();
  if (unchanged) {
    desiredModel = unchanged;
  } else {
    // The stable-form trips that follow need two more databases: create them while this one compiles.
    shadow.pool?.prepare(2);
    const { compiled, ahead } = await compileChanged(
      speculation,
      state,
      split.changed,
      live.model,
      compileOptions,
    );
    compiledAhead = ahead;
    const desiredFirst = mergeCompiled(state, compiled.model, live.model, split.changed);
    // One more trip through PostgreSQL where expressions are in question (shadow/fixpoint.ts).
    const stable = await stableForms(desiredFirst, live.model, split.changed, state, compileOptions);
    desiredModel = stable.desired;
    liveStable = stable.liveStable;
  }
  const compileMs = lap();
  const diff = diffModels(live.model, desiredModel, annotationsOf(state), liveStable);
  const diffMs = lap();
  const clashes = nameClashes(diff.changes, live.unmanaged, state);
  if (clashes.length > 0) {
    throw new InputError(
      `${clashes.length} object${clashes.length === 1 ? '' : 's'} of the desired state cannot be created; nothing was planned`,
      clashes,
    );
  }
  if (options.refuseBlocked !== false) {
    const blocked = await blockedByUnmanaged(options.targetUrl, diff.changes, state);
    if (blocked.length > 0) {
      throw new InputError(
        `${blocked.length} change${blocked.length === 1 ? ' is' : 's are'} blocked by objects tidemark does not manage; nothing was planned`,
        blocked,
      );
    }
  }
  const castsThroughText = await typeChangesWithoutCast(options.targetUrl, diff.changes);
  const changes = [...(await missingRequired(options.targetUrl, state.requires)), ...diff.changes];
  const plan = buildPlan({
    live,
    changes,
    expected: diff.expected,
    schemas,
    schemaHash: state.hash,
    toolVersion: TOOL_VERSION,
    approvedHazards: options.allowHazards,
    castsThroughText,
  });
  const checked = options.prechecks
    ? await withClient(options.targetUrl, (c) =>
        runPrechecks(c, plan, changes, live.tableStats, options.precheck, castsThroughText),
      )
    : plan;
  const planMs = lap();
  return {
    plan: checked,
    changes,
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
      compiledAhead,
      compiledEarly: compiledAhead && compiledEarly,
    },
  };
}
