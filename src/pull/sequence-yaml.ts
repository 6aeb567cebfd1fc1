import type { SequenceOptions } from '../model/types.js';
import { bool, integer, type YamlEntry } from './yaml-text.js';

/**
 * Sequence and identity options, written only where they differ from what PostgreSQL would choose when the
 * option is left out, so `CREATE SEQUENCE` / `GENERATED … AS IDENTITY` from the YAML stores the same values.
 */

const TYPE_RANGE: Readonly<Record<string, readonly [string, string]>> = {
  smallint: ['-32768', '32767'],
  integer: ['-2147483648', '2147483647'],
  bigint: ['-9223372036854775808', '9223372036854775807'],
};

/** Type names as `format_type` prints them, plus the aliases a user may write. */
const TYPE_ALIASES: Readonly<Record<string, string>> = {
  smallint: 'smallint',
  int2: 'smallint',
  integer: 'integer',
  int: 'integer',
  int4: 'integer',
  bigint: 'bigint',
  int8: 'bigint',
};

export function sequenceTypeOf(type: string): string | null {
  return TYPE_ALIASES[type.trim().toLowerCase()] ?? null;
}

/**
 * YAML entries for the options that differ from PostgreSQL's defaults for `type` (null when the type is not
 * an integer type PostgreSQL knows the range of: then every option is written).
 */
export function sequenceOptionEntries(
  options: Omit<SequenceOptions, 'type'>,
  type: string | null,
): YamlEntry[] {
  const range = type === null ? undefined : TYPE_RANGE[type];
  const ascending = !options.increment.startsWith('-');
  const defaultMin = range ? (ascending ? '1' : range[0]) : null;
  const defaultMax = range ? (ascending ? range[1] : '-1') : null;
  // PostgreSQL starts at the (actual) minimum when ascending, the maximum when descending.
  const defaultStart = ascending ? options.min : options.max;
  const out: YamlEntry[] = [];
  if (options.start !== defaultStart || range === undefined)
    out.push({ key: 'start', value: integer(options.start) });
  if (options.increment !== '1') out.push({ key: 'increment', value: integer(options.increment) });
  if (options.min !== defaultMin) out.push({ key: 'minValue', value: integer(options.min) });
  if (options.max !== defaultMax) out.push({ key: 'maxValue', value: integer(options.max) });
  if (options.cache !== '1') out.push({ key: 'cache', value: integer(options.cache) });
  if (options.cycle) out.push({ key: 'cycle', value: bool(true) });
  return out;
}
