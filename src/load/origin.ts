import type { DataPath, ParsedDocument } from './source.js';

/**
 * Where a normalised object came from: its document and data path, so semantic checks can point at the exact
 * key (a column name inside a constraint's list, say) without carrying YAML through the public types.
 */
export interface Origin {
  readonly doc: ParsedDocument;
  readonly path: DataPath;
  /** The file's `schema:` namespace. */
  readonly namespace: string;
  /** Path of the i-th entry of the object's column list, when it has one. */
  readonly columnPath?: (i: number) => DataPath;
  /** Path of the i-th referenced column of a foreign key. */
  readonly refColumnPath?: (i: number) => DataPath;
  /** Path of the i-th INCLUDE column of an index. */
  readonly includePath?: (i: number) => DataPath;
  /** Path of the renamedFrom value. */
  readonly renamedFromPath?: DataPath;
}

/**
 * Kept on the object under a symbol, not enumerable: invisible to JSON, spreads and key listings, and, unlike a
 * WeakMap of some hundred thousand entries, free for the garbage collector.
 */
const ORIGIN: unique symbol = Symbol('tidemark.origin');

export function setOrigin<T extends object>(value: T, origin: Origin): T {
  Object.defineProperty(value, ORIGIN, {
    value: origin,
    enumerable: false,
    writable: false,
    configurable: true,
  });
  return value;
}

export function originIfAny(value: object): Origin | undefined {
  return (value as { [ORIGIN]?: Origin })[ORIGIN];
}

/** While `probing` runs: the origin of objects loaded from the cache without theirs. */
let unplaced: Origin | null = null;

const UNPLACED: Origin = {
  doc: {
    file: '(unplaced)',
    data: null,
    at: () => {
      throw new Error('internal: a diagnostic placed while probing');
    },
    scalar: () => null,
    keys: () => [],
  },
  path: [],
  namespace: '(unplaced)',
};

export function originOf(value: object): Origin {
  const o = originIfAny(value) ?? unplaced;
  if (!o) throw new Error('internal: object without origin');
  return o;
}

/**
 * Run checks whose only question is whether they report anything, over objects that may have no origin
 * (loaded from the cache without them): such objects get a placeholder origin, which a check may pass around
 * but must not place a diagnostic with. Only positions come from origins, never a check's decision, so the
 * answer is the one the checks give with every origin in place.
 */
export function probing<T>(run: () => T): T {
  unplaced = UNPLACED;
  try {
    return run();
  } finally {
    unplaced = null;
  }
}

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function str(v: unknown): string | null {
  return typeof v === 'string' ? v : null;
}

export function strList(v: unknown): string[] {
  if (typeof v === 'string') return [v];
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}

export function bool(v: unknown, fallback: boolean): boolean {
  return typeof v === 'boolean' ? v : fallback;
}

/** A YAML number or boolean written where SQL is expected becomes its literal text. */
export function sqlText(v: unknown): string | null {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return null;
}

/** `audit.events` → { schema: audit, name: events }; an unqualified name takes the file's namespace. */
export function splitQualified(name: string, namespace: string): { schema: string; name: string } {
  const dot = name.indexOf('.');
  if (dot <= 0 || dot === name.length - 1) return { schema: namespace, name };
  return { schema: name.slice(0, dot), name: name.slice(dot + 1) };
}
