import { createHash, type Hash } from 'node:crypto';
import { compareQualified } from './keys.js';
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
      for (const key of sortedKeys(record)) {
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

/**
 * Keys in the order a copy of the object with its keys inserted in sorted order lists them: array-index
 * keys ("0", "17") first in numeric order, as JavaScript lists them, then the others sorted. Object.keys
 * already gives the index keys first and in that order.
 */
function sortedKeys(record: Record<string, unknown>): string[] {
  const keys = Object.keys(record);
  let indexes = 0;
  while (indexes < keys.length && isArrayIndex(keys[indexes]!)) indexes++;
  if (indexes === 0) return keys.sort();
  return [...keys.slice(0, indexes), ...keys.slice(indexes).sort()];
}

function isArrayIndex(key: string): boolean {
  return /^(?:0|[1-9][0-9]*)$/.test(key) && Number(key) < 4294967295;
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

const TABLES = '\u0000tables\u0000';

/** What comes before and after the tables in a model's serialisation. */
function outline(model: Model): [string, string] {
  const text = stableStringify({ ...model, tables: TABLES });
  return text.split(JSON.stringify(TABLES)) as [string, string];
}

/**
 * The fingerprint of a model: what a saved plan records as `from` and `to`, and what apply verifies. It is
 * the sha256 of `stableStringify(model)`, fed to the hash table by table.
 */
export function fingerprint(model: Model): string {
  return fingerprints(model, { ...model, tables: [] })[0];
}

/**
 * The fingerprints of two models at once, each exactly `fingerprint(model)`. A plan fingerprints the live
 * model and the expected one, which share (as the same objects) every table the plan leaves alone: both
 * lists are sorted by name, so walking them side by side serialises each shared table once and drops its
 * text at once, where fingerprinting them one after the other would serialise thousands of tables twice or
 * keep all their text alive in between.
 */
export function fingerprints(a: Model, b: Model): [string, string] {
  const [aBefore, aAfter] = outline(a);
  const [bBefore, bAfter] = outline(b);
  const ha: Hash = createHash('sha256').update(`${aBefore}[`);
  const hb: Hash = createHash('sha256').update(`${bBefore}[`);
  const at = a.tables;
  const bt = b.tables;
  let i = 0;
  let j = 0;
  while (i < at.length || j < bt.length) {
    const x = at[i];
    const y = bt[j];
    if (x !== undefined && x === y) {
      const text = stableStringify(x);
      ha.update(i === 0 ? text : `,${text}`);
      hb.update(j === 0 ? text : `,${text}`);
      i++;
      j++;
    } else if (x !== undefined && (y === undefined || compareQualified(x, y) <= 0)) {
      ha.update(i === 0 ? stableStringify(x) : `,${stableStringify(x)}`);
      i++;
    } else if (y !== undefined) {
      hb.update(j === 0 ? stableStringify(y) : `,${stableStringify(y)}`);
      j++;
    }
  }
  return [
    `sha256:${ha.update(`]${aAfter}`).digest('hex')}`,
    `sha256:${hb.update(`]${bAfter}`).digest('hex')}`,
  ];
}
