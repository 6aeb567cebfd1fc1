import { type Config, resolveConfig } from '../config/config.js';
import { InputError } from '../errors.js';
import type { HazardCode } from '../plan/types.js';

/** Flag values shared by several commands, read into a resolved Config. */
export function configFromOptions(options: Record<string, unknown>): Config {
  const str = (k: string) => (typeof options[k] === 'string' ? (options[k] as string) : undefined);
  return resolveConfig({
    config: str('config'),
    schemaDir: str('schemaDir'),
    schemas: str('schemas'),
    db: str('db'),
    shadowUrl: str('shadowUrl'),
    lockTimeout: str('lockTimeout'),
    ...(options.cache === false ? { cache: false } : {}),
  });
}

export const HAZARD_CODES: readonly HazardCode[] = [
  'DELETES_DATA',
  'LOSSY_TYPE_CHANGE',
  'TABLE_REWRITE',
  'ACCESS_EXCLUSIVE_LOCK',
  'FULL_SCAN',
  'INDEX_BUILD',
  'INDEX_DROPPED',
  'NON_TRANSACTIONAL',
  'WILL_FAIL_ON_DATA',
  'ENUM_VALUE_REMOVED',
  'BACKFILL',
];

/**
 * `--allow-hazards` codes, comma separated; `all` approves every code that can be approved
 * (WILL_FAIL_ON_DATA never can: the data has to be fixed first).
 */
export function parseHazardList(value: unknown): HazardCode[] {
  if (typeof value !== 'string' || value.trim() === '') return [];
  const codes = value
    .split(',')
    .map((s) => s.trim().toUpperCase())
    .flatMap((c) => (c === 'ALL' ? HAZARD_CODES.filter((h) => h !== 'WILL_FAIL_ON_DATA') : [c]));
  for (const code of codes) {
    if (!HAZARD_CODES.includes(code as HazardCode)) {
      throw new InputError(
        `unknown hazard code "${code}" in --allow-hazards; known codes: ${HAZARD_CODES.join(', ')}`,
      );
    }
  }
  return [...new Set(codes as HazardCode[])].sort();
}
