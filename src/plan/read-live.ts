import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from '../config/config.js';
import { connect } from '../db/connect.js';
import { introspect } from '../introspect/index.js';
import type { IntrospectionResult } from '../model/types.js';
import { readPrelude } from '../shadow/prelude.js';

export interface LiveRead {
  readonly live: IntrospectionResult;
  /** Definitions of unmanaged objects managed tables may need in the shadow (shadow/prelude.ts). */
  readonly prelude: string[];
  readonly ms: number;
}

/** The live catalog of the managed schemas, in one snapshot, with the prelude the shadow may need. */
export async function readLive(url: string, schemas: readonly string[], config: Config): Promise<LiveRead> {
  const start = performance.now();
  const client = await connect(url);
  try {
    const live = await introspect(client, { schemas, ignore: config.ignore });
    const prelude = live.unmanaged.length > 0 ? await readPrelude(client, schemas) : [];
    return { live, prelude, ms: Math.round(performance.now() - start) };
  } finally {
    await client.end().catch(() => {});
  }
}

/**
 * The managed schemas are known only once the YAML is loaded (unless configured), but reading the catalog
 * does not otherwise need the YAML: so the schemas of the last run are kept beside the load cache, and the
 * catalog is read with them while the files load. If the YAML turns out to name other schemas, the catalog
 * is read again with the right ones; the guess only ever saves time.
 */
function hintFile(config: Config): string | null {
  if (config.cacheDir === null) return null;
  const id = createHash('sha256').update(config.schemaDir).digest('hex').slice(0, 16);
  return join(config.cacheDir, `schemas-${id}.json`);
}

export function guessSchemas(config: Config): string[] | null {
  if (config.schemas) return [...config.schemas];
  const file = hintFile(config);
  if (!file) return null;
  try {
    const value: unknown = JSON.parse(readFileSync(file, 'utf8'));
    return Array.isArray(value) && value.length > 0 && value.every((s) => typeof s === 'string')
      ? value
      : null;
  } catch {
    return null;
  }
}

export function rememberSchemas(
  config: Config,
  schemas: readonly string[],
  guessed: readonly string[] | null,
) {
  const file = hintFile(config);
  if (!file || config.schemas || sameList(schemas, guessed)) return;
  try {
    mkdirSync(config.cacheDir!, { recursive: true });
    writeFileSync(file, JSON.stringify(schemas));
  } catch {
    // Only a hint: without it the next run reads the catalog after loading, which is correct.
  }
}

export function sameList(a: readonly string[], b: readonly string[] | null): boolean {
  return b !== null && a.length === b.length && a.every((x, i) => x === b[i]);
}
