import { createHash, type Hash } from 'node:crypto';
import type { Model } from './types.js';

/**
 * Serialise a value with object keys sorted, so equal data always gives equal bytes. Arrays keep their
 * order: the model sorts its keyed lists when it is built, and the order of columns and index keys matters.
 * The output is exactly `JSON.stringify` of the value with every object's keys sorted (undefined properties
 * left out, undefined array items as null), written directly rather than through a sorted copy: a model of
 * thousands of tables is a million small objects, and copying them is most of the cost.
 */
export function stableStringify(value: unknown): string {
  return write(value) ?? 'undefined';
}

function write(value: unknown): string | undefined {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'number':
    case 'boolean':
      return JSON.stringify(value);
    case 'object': {
      if (Array.isArray(value)) {
        let out = '[';
        for (let i = 0; i < value.length; i++) {
          if (i > 0) out += ',';
          out += write(value[i]) ?? 'null';
        }
        return `${out}]`;
      }
      const record = value as Record<string, unknown>;
      let out = '{';
      for (const key of Object.keys(record).sort()) {
        const v = write(record[key]);
        if (v === undefined) continue;
        out += `${out.length > 1 ? ',' : ''}${quotedKey(key)}:${v}`;
      }
      return `${out}}`;
    }
    case 'bigint':
      throw new TypeError('Do not know how to serialize a BigInt');
    default:
      return undefined;
  }
}

/** Object keys are few and repeat in every table: quote each once. */
const quotedKeys = new Map<string, string>();

function quotedKey(key: string): string {
  let quoted = quotedKeys.get(key);
  if (quoted === undefined) {
    quoted = JSON.stringify(key);
    if (quotedKeys.size < 10_000) quotedKeys.set(key, quoted);
  }
  return quoted;
}

export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/**
 * A table's serialised form, kept for the table object's lifetime: a plan fingerprints the live model and
 * the expected model, which share every table the plan does not touch.
 */
const tableText = new WeakMap<object, string>();

function textOf(table: object): string {
  let text = tableText.get(table);
  if (text === undefined) {
    text = stableStringify(table);
    tableText.set(table, text);
  }
  return text;
}

const TABLES = '\u0000tables\u0000';

/**
 * The fingerprint of a model: what a saved plan records as `from` and `to`, and what apply verifies. It is
 * the sha256 of `stableStringify(model)`, fed to the hash table by table.
 */
export function fingerprint(model: Model): string {
  const outline = stableStringify({ ...model, tables: TABLES });
  const [before, after] = outline.split(JSON.stringify(TABLES)) as [string, string];
  const hash: Hash = createHash('sha256').update(`${before}[`);
  model.tables.forEach((t, i) => {
    hash.update(i === 0 ? textOf(t) : `,${textOf(t)}`);
  });
  return `sha256:${hash.update(`]${after}`).digest('hex')}`;
}
