import { createHash } from 'node:crypto';
import type { Model } from './types.js';

/**
 * Serialise a value with object keys sorted, so equal data always gives equal bytes. Arrays keep their
 * order: the model sorts its keyed lists when it is built, and the order of columns and index keys matters.
 */
export function stableStringify(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) {
      const v = (value as Record<string, unknown>)[key];
      if (v !== undefined) out[key] = sortKeys(v);
    }
    return out;
  }
  return value;
}

export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** The fingerprint of a model: what a saved plan records as `from` and `to`, and what apply verifies. */
export function fingerprint(model: Model): string {
  return `sha256:${sha256(stableStringify(model))}`;
}
