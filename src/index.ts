/**
 * The public library API: the same pipeline the CLI runs, as functions. Everything here returns values or
 * throws TidemarkError subclasses; nothing prints or exits.
 */
export { applyPlan } from './apply/index.js';
export { type Config, type ConfigOverrides, resolveConfig } from './config/config.js';
export { type Change, diffModels } from './diff/index.js';
export { type DriftItem, describeChanges } from './drift/describe.js';
export * from './errors.js';
export { type IntrospectOptions, introspect } from './introspect/index.js';
export { loadDesiredState } from './load/index.js';
export type { DesiredState, Diagnostic, LoadResult } from './load/types.js';
export { fingerprint } from './model/fingerprint.js';
export type * from './model/types.js';
export { buildPlan } from './plan/build.js';
export { type PlanForTargetOptions, type PlanForTargetResult, planForTarget } from './plan/create.js';
export type * from './plan/types.js';
export { modelToYaml } from './pull/model-to-yaml.js';
export { renderPlanJson } from './report/plan-json.js';
export { renderPlanMarkdown } from './report/plan-markdown.js';
export { renderPlanSql } from './report/plan-sql.js';
export { renderPlanText } from './report/plan-text.js';
export { compileDesired } from './shadow/compile.js';
export { TOOL_VERSION } from './version.js';
