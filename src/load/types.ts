import type {
  CheckConstraint,
  Column,
  EnumType,
  Extension,
  ForeignKey,
  Index,
  PrimaryKey,
  RequiredObject,
  Sequence,
  SequenceOptions,
  UniqueConstraint,
} from '../model/types.js';

/**
 * The desired state as written in schema/*.yaml, after loading and semantic checks. Each object has the shape
 * of its model counterpart (so one DDL renderer serves both) plus what only YAML knows: where it was written,
 * the names it was renamed from, and how to backfill it. Types and expressions are as the user wrote them;
 * the shadow database turns them into the canonical model.
 */

export interface SourceRef {
  readonly file: string;
  readonly line: number;
  readonly col: number;
}

export interface Annotations {
  /** Position of the object's key (its name) in YAML. */
  readonly source: SourceRef;
  /** Names this object had before, most recent first: a rename instead of drop + create. */
  readonly renamedFrom: readonly string[];
}

export interface DesiredIdentity {
  readonly kind: 'always' | 'by default';
  /** Only the options the user wrote; the rest take PostgreSQL's defaults for the column type. */
  readonly options: Partial<Omit<SequenceOptions, 'type'>>;
}

export interface DesiredColumn extends Omit<Column, 'identity'>, Annotations {
  readonly identity: DesiredIdentity | null;
  /** SQL expression that fills existing NULLs before the column becomes NOT NULL. */
  readonly backfill: string | null;
}

export type DesiredPrimaryKey = PrimaryKey & Annotations;
export type DesiredUnique = UniqueConstraint & Annotations;
export type DesiredCheck = CheckConstraint & Annotations;
export type DesiredForeignKey = ForeignKey & Annotations;
export type DesiredIndex = Index & Annotations;

export interface DesiredTable extends Annotations {
  readonly schema: string;
  readonly name: string;
  readonly columns: readonly DesiredColumn[];
  readonly primaryKey: DesiredPrimaryKey | null;
  readonly uniques: readonly DesiredUnique[];
  readonly checks: readonly DesiredCheck[];
  readonly foreignKeys: readonly DesiredForeignKey[];
  readonly indexes: readonly DesiredIndex[];
  readonly comment: string | null;
}

export type DesiredEnum = EnumType &
  Annotations & {
    /** Value renames: new value → old value. */
    readonly valueRenames: Readonly<Record<string, string>>;
  };

export interface DesiredSequence extends Omit<Sequence, keyof SequenceOptions>, Annotations {
  readonly options: Partial<SequenceOptions>;
}

export type DesiredExtension = Extension & { readonly source: SourceRef };

/**
 * An object tidemark does not manage that the tables need: created from `sql` when the database lacks it
 * (by `name`, as `regtype` or `regprocedure` reads it), before the tables; never altered or dropped.
 */
export type DesiredRequired = RequiredObject & { readonly source: SourceRef };

export interface DesiredState {
  /** Managed schemas named by the files (always includes each file's `schema:`). */
  readonly schemas: readonly string[];
  readonly extensions: readonly DesiredExtension[];
  /** `requires:` entries of all files, in file order. */
  readonly requires: readonly DesiredRequired[];
  readonly enums: readonly DesiredEnum[];
  readonly sequences: readonly DesiredSequence[];
  readonly tables: readonly DesiredTable[];
  /** Files read, relative to the schema directory, sorted. */
  readonly files: readonly string[];
  /** sha256 over the files' paths and bytes: the `schemaHash` of a saved plan. */
  readonly hash: string;
}

export type DiagnosticSeverity = 'error' | 'warning';

/** A mistake in the user's input, returned as a value (never thrown). */
export interface Diagnostic {
  readonly file: string;
  readonly line: number;
  readonly col: number;
  /** Path inside the document, e.g. `tables.children.columns.parent_id.type`. */
  readonly path: string;
  /** Stable code, e.g. `unknown-key`, `yaml-syntax`, `sql-syntax`, `unknown-column`. */
  readonly code: string;
  readonly severity: DiagnosticSeverity;
  readonly message: string;
  readonly hint: string | null;
}

/** What one file contributes before checks across files: its objects, in file order, and its own problems. */
export interface FileLoad {
  /** The `schema:` namespace of each document with content. */
  readonly namespaces: readonly string[];
  readonly diagnostics: readonly Diagnostic[];
  readonly tables: readonly DesiredTable[];
  /** The `schema:` namespace of the document each table was written in, by position in `tables`. */
  readonly tableNamespaces: readonly string[];
  readonly enums: readonly DesiredEnum[];
  readonly sequences: readonly DesiredSequence[];
  readonly extensions: readonly DesiredExtension[];
  readonly requires: readonly DesiredRequired[];
}

/** A file's load without its tables: what every file contributes besides them, small even for large files. */
export type FileHead = Omit<FileLoad, 'tables'>;

export interface LoadResult {
  /** Null when any error-severity diagnostic was found. */
  readonly state: DesiredState | null;
  readonly diagnostics: readonly Diagnostic[];
  /** Files whose per-file work came from the load cache, and those loaded afresh (when a cache was used). */
  readonly cache?: {
    readonly hits: number;
    readonly misses: number;
    /** Shown names of the files loaded afresh (changed since the last load, or new). */
    readonly missed: readonly string[];
  };
  /**
   * The tables the files loaded afresh defined in their last cached version, before the cross-file checks
   * (so a foreign key's omitted referenced columns are still empty).
   */
  readonly superseded?: readonly DesiredTable[];
}
