import { compareStrings, qualifiedKey } from '../model/keys.js';
import type { EnumType, Extension, Model, Sequence } from '../model/types.js';
import type { DesiredAnnotations } from './annotations.js';
import type { Change } from './change.js';

/** Diff of the objects that do not belong to a table: schemas, extensions, enums, sequences. */

export function diffSchemas(from: Model, to: Model): Change[] {
  const live = new Set(from.schemas.map((s) => s.name));
  return to.schemas
    .filter((s) => !live.has(s.name))
    .map((s) => ({ kind: 'schema.create', name: s.name }) as const);
}

export interface ExtensionDiff {
  readonly changes: Change[];
  /** The extensions the database will have: unpinned versions stay what is installed. */
  readonly expected: Extension[];
}

export function diffExtensions(from: Model, to: Model, ann: DesiredAnnotations): ExtensionDiff {
  const live = new Map(from.extensions.map((e) => [e.name, e]));
  const wanted = new Set(to.extensions.map((e) => e.name));
  const changes: Change[] = [];
  const expected: Extension[] = [];
  for (const ext of to.extensions) {
    const current = live.get(ext.name);
    if (!current) {
      changes.push({ kind: 'extension.create', extension: ext });
      expected.push(ext);
    } else if (ann.pinnedExtensions.has(ext.name) && current.version !== ext.version) {
      changes.push({ kind: 'extension.update', extension: ext, from: current.version });
      expected.push({ ...current, version: ext.version });
    } else {
      expected.push(current);
    }
  }
  for (const ext of from.extensions) {
    if (!wanted.has(ext.name)) changes.push({ kind: 'extension.drop', extension: ext });
  }
  return { changes, expected };
}

/** Map live enum key → desired enum for declared renames that apply. */
export function matchEnumRenames(from: Model, to: Model, ann: DesiredAnnotations): Map<string, EnumType> {
  const liveKeys = new Set(from.enums.map(qualifiedKey));
  const wantedKeys = new Set(to.enums.map(qualifiedKey));
  const renames = new Map<string, EnumType>();
  for (const e of to.enums) {
    if (liveKeys.has(qualifiedKey(e))) continue;
    for (const old of ann.enumRenames.get(qualifiedKey(e)) ?? []) {
      const oldKey = qualifiedKey({ schema: e.schema, name: old });
      if (liveKeys.has(oldKey) && !wantedKeys.has(oldKey) && !renames.has(oldKey)) {
        renames.set(oldKey, e);
        break;
      }
    }
  }
  return renames;
}

export function diffEnumValues(
  live: EnumType,
  wanted: EnumType,
  valueRenames: Readonly<Record<string, string>>,
): { changes: Change[]; recreate: boolean } {
  const changes: Change[] = [];
  const oldToNew = new Map<string, string>();
  for (const [to, fromValue] of Object.entries(valueRenames)) {
    if (live.values.includes(fromValue) && !live.values.includes(to) && wanted.values.includes(to)) {
      oldToNew.set(fromValue, to);
      changes.push({ kind: 'enum.rename-value', enum: wanted, from: fromValue, to });
    }
  }
  const current = live.values.map((v) => oldToNew.get(v) ?? v);
  // Values can only be added (anywhere); removing or reordering needs the type recreated.
  let cursor = 0;
  for (const v of wanted.values) {
    if (cursor < current.length && current[cursor] === v) cursor++;
  }
  if (cursor < current.length) return { changes: [], recreate: true };
  const existing = new Set(current);
  wanted.values.forEach((v, i) => {
    if (existing.has(v)) return;
    const next = wanted.values.slice(i + 1).find((x) => existing.has(x)) ?? null;
    changes.push({ kind: 'enum.add-value', enum: wanted, value: v, before: next });
  });
  return { changes, recreate: false };
}

export function diffSequences(from: Model, to: Model): Change[] {
  const live = new Map(from.sequences.map((s) => [qualifiedKey(s), s]));
  const wanted = new Set(to.sequences.map(qualifiedKey));
  const changes: Change[] = [];
  for (const s of to.sequences) {
    const current = live.get(qualifiedKey(s));
    if (!current) {
      changes.push({ kind: 'sequence.create', sequence: s });
      if (s.ownedBy) changes.push({ kind: 'sequence.owned-by', sequence: s, previous: null });
      continue;
    }
    if (sequenceOptionsDiffer(current, s))
      changes.push({ kind: 'sequence.alter', from: current, sequence: s });
    if (JSON.stringify(current.ownedBy) !== JSON.stringify(s.ownedBy)) {
      changes.push({ kind: 'sequence.owned-by', sequence: s, previous: current.ownedBy });
    }
  }
  for (const s of from.sequences) {
    if (!wanted.has(qualifiedKey(s))) changes.push({ kind: 'sequence.drop', sequence: s });
  }
  return changes;
}

export function sequenceOptionsDiffer(a: Sequence, b: Sequence): boolean {
  return (
    a.type !== b.type ||
    a.start !== b.start ||
    a.increment !== b.increment ||
    a.min !== b.min ||
    a.max !== b.max ||
    a.cache !== b.cache ||
    a.cycle !== b.cycle ||
    a.comment !== b.comment
  );
}

export function sortedValues<T>(values: Iterable<T>, key: (v: T) => string): T[] {
  return [...values].sort((a, b) => compareStrings(key(a), key(b)));
}
