import { readFileSync } from 'node:fs';
import { InputError } from '../errors.js';
import type { Plan } from '../plan/types.js';

/**
 * Reading a saved plan (plans/*.plan.json) for apply. Fingerprints depend on the model's shape, which may
 * change between tidemark versions, so a plan is applied only by the version that made it.
 */
export function readPlanFile(path: string, toolVersion: string): Plan {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new InputError(`cannot read plan file ${path}: ${(error as Error).message}`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new InputError(
      `plan file ${path} is not JSON: ${(error as Error).message}; save it again with tidemark plan --out`,
    );
  }
  return checkPlan(value, path, toolVersion);
}

export function checkPlan(value: unknown, path: string, toolVersion: string): Plan {
  const bad = (what: string) =>
    new InputError(`plan file ${path} ${what}; save a new one with tidemark plan --out ${path}`);
  if (value === null || typeof value !== 'object') throw bad('does not hold a plan object');
  const p = value as Record<string, unknown>;
  if (p.formatVersion !== 1)
    throw bad(`has formatVersion ${JSON.stringify(p.formatVersion)}; this tidemark reads 1`);
  if (typeof p.toolVersion !== 'string') throw bad('has no toolVersion');
  if (p.toolVersion !== toolVersion) {
    throw bad(
      `was made by tidemark ${p.toolVersion}; this is tidemark ${toolVersion}, which applies only its own plans`,
    );
  }
  const fp = (k: 'from' | 'to') => (p[k] as { fingerprint?: unknown } | undefined)?.fingerprint;
  if (typeof fp('from') !== 'string' || typeof fp('to') !== 'string')
    throw bad('has no from/to fingerprints');
  if (!Array.isArray(p.groups) || !Array.isArray(p.schemas) || !Array.isArray(p.approvedHazards)) {
    throw bad('is missing groups, schemas or approvedHazards');
  }
  for (const group of p.groups as unknown[]) {
    const g = group as { transactional?: unknown; steps?: unknown };
    if (typeof g?.transactional !== 'boolean' || !Array.isArray(g.steps)) throw bad('has a malformed group');
    for (const step of g.steps as unknown[]) {
      const s = step as Record<string, unknown>;
      if (
        typeof s?.n !== 'number' ||
        typeof s.sql !== 'string' ||
        typeof s.transactional !== 'boolean' ||
        !Array.isArray(s.hazards) ||
        typeof (s.target as { name?: unknown } | undefined)?.name !== 'string'
      ) {
        throw bad('has a malformed step');
      }
    }
  }
  return value as Plan;
}
