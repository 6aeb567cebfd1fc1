/**
 * The canonical model of a PostgreSQL schema: what the introspector reads from a catalog and what the diff
 * compares. Plain readonly data: it serialises to JSON, hashes to a fingerprint, and golden-tests.
 *
 * Every list is sorted by key (see keys.ts) except columns and index keys, whose order is meaningful.
 * Optional facts that have a PostgreSQL default are stored normalised (null / false) so that two catalogs
 * describing the same schema give equal models.
 */

export interface QualifiedName {
  readonly schema: string;
  readonly name: string;
}

/** `NOT DEFERRABLE` is `false`; the two deferrable variants say when the check runs. */
export type Deferrable = false | 'immediate' | 'deferred';

export type ForeignKeyAction = 'no action' | 'restrict' | 'cascade' | 'set null' | 'set default';
export type ForeignKeyMatch = 'simple' | 'full' | 'partial';

export interface SchemaDef {
  readonly name: string;
  readonly comment: string | null;
}

/** Kinds of object a `requires:` entry names (not managed: created where missing, see plan/required.ts). */
export type RequiredKind = 'domain' | 'type' | 'function';

/** An object the tables require: its kind, its name as `regtype`/`regprocedure` prints it, and its SQL. */
export interface RequiredObject {
  readonly kind: RequiredKind;
  readonly name: string;
  readonly sql: string;
}

export interface Extension {
  readonly name: string;
  readonly schema: string;
  /** Installed version; desired state may leave it null to accept whatever CREATE EXTENSION installs. */
  readonly version: string | null;
}

export interface EnumType extends QualifiedName {
  readonly values: readonly string[];
  readonly comment: string | null;
}

/** Sequence options as PostgreSQL stores them in pg_sequence. */
export interface SequenceOptions {
  /** `smallint`, `integer` or `bigint`. */
  readonly type: string;
  readonly start: string;
  readonly increment: string;
  readonly min: string;
  readonly max: string;
  readonly cache: string;
  readonly cycle: boolean;
}

export interface Sequence extends QualifiedName, SequenceOptions {
  /** Set for a sequence owned by a column (serial); identity sequences are not listed as sequences. */
  readonly ownedBy: { readonly table: string; readonly column: string } | null;
  readonly comment: string | null;
}

export interface Identity {
  readonly kind: 'always' | 'by default';
  /** The identity sequence's options as stored (the defaults for the column type when not written). */
  readonly options: Omit<SequenceOptions, 'type'>;
}

export interface Column {
  readonly name: string;
  /** The type as `format_type(atttypid, atttypmod)` prints it, schema-qualified outside search_path. */
  readonly type: string;
  readonly notNull: boolean;
  /** `pg_get_expr(adbin, adrelid)`; null when there is no default (and for generated columns). */
  readonly default: string | null;
  readonly identity: Identity | null;
  /** Stored generated column expression. */
  readonly generated: string | null;
  /** Collation name when it is not the type's default. */
  readonly collation: string | null;
  readonly comment: string | null;
}

export interface PrimaryKey {
  readonly name: string;
  readonly columns: readonly string[];
  readonly comment: string | null;
}

export interface UniqueConstraint {
  readonly name: string;
  readonly columns: readonly string[];
  readonly nullsNotDistinct: boolean;
  readonly deferrable: Deferrable;
  readonly comment: string | null;
}

export interface CheckConstraint {
  readonly name: string;
  /** The boolean expression, without the surrounding `CHECK (...)`. */
  readonly expression: string;
  readonly noInherit: boolean;
  /** False while the constraint is NOT VALID. */
  readonly valid: boolean;
  readonly comment: string | null;
}

export interface ForeignKey {
  readonly name: string;
  readonly columns: readonly string[];
  readonly references: {
    readonly schema: string;
    readonly table: string;
    readonly columns: readonly string[];
  };
  readonly onDelete: ForeignKeyAction;
  readonly onUpdate: ForeignKeyAction;
  readonly match: ForeignKeyMatch;
  readonly deferrable: Deferrable;
  readonly valid: boolean;
  readonly comment: string | null;
}

export interface IndexKey {
  /** Exactly one of column / expression is set. */
  readonly column: string | null;
  readonly expression: string | null;
  /** Operator class when it is not the default for the key's type. */
  readonly opclass: string | null;
  /** Collation when it is not the default for the key. */
  readonly collation: string | null;
  readonly order: 'asc' | 'desc';
  /** Null when the NULLS placement is the default for the order (LAST for asc, FIRST for desc). */
  readonly nulls: 'first' | 'last' | null;
}

export interface Index {
  readonly name: string;
  readonly unique: boolean;
  readonly method: string;
  readonly keys: readonly IndexKey[];
  readonly include: readonly string[];
  readonly where: string | null;
  readonly nullsNotDistinct: boolean;
  /** False for an INVALID index (a failed or interrupted concurrent build). */
  readonly valid: boolean;
  readonly comment: string | null;
}

export interface Table extends QualifiedName {
  readonly columns: readonly Column[];
  readonly primaryKey: PrimaryKey | null;
  readonly uniques: readonly UniqueConstraint[];
  readonly checks: readonly CheckConstraint[];
  readonly foreignKeys: readonly ForeignKey[];
  /** Indexes that do not back a primary key or unique constraint. */
  readonly indexes: readonly Index[];
  readonly comment: string | null;
}

export type UnmanagedKind =
  | 'view'
  | 'materialized view'
  | 'function'
  | 'procedure'
  | 'aggregate'
  | 'trigger'
  | 'policy'
  | 'rule'
  | 'exclusion constraint'
  | 'partitioned table'
  | 'partition'
  | 'inherited table'
  | 'foreign table'
  | 'domain'
  | 'composite type'
  | 'range type'
  | 'event trigger'
  | 'publication';

/** An object tidemark does not manage yet: reported everywhere, never changed, never dropped. */
export interface UnmanagedObject {
  readonly kind: UnmanagedKind;
  readonly schema: string;
  readonly name: string;
  /** For objects that hang off a table (trigger, policy, rule): the table's name. */
  readonly table: string | null;
}

export interface Model {
  readonly schemas: readonly SchemaDef[];
  readonly extensions: readonly Extension[];
  readonly enums: readonly EnumType[];
  readonly sequences: readonly Sequence[];
  readonly tables: readonly Table[];
}

export interface IntrospectionResult {
  readonly model: Model;
  readonly unmanaged: readonly UnmanagedObject[];
  /** `server_version_num` of the catalog that was read, e.g. 150018. */
  readonly serverVersionNum: number;
  /** Row estimates and sizes, for hazard severity; not part of the model or its fingerprint. */
  readonly tableStats: readonly TableStats[];
}

export interface TableStats extends QualifiedName {
  /** `pg_class.reltuples`, -1 when never analysed. */
  readonly estimatedRows: number;
  /** Estimated from relpages of the table, its TOAST table and its indexes (no file access, no locks). */
  readonly totalBytes: number;
}

export const EMPTY_MODEL: Model = { schemas: [], extensions: [], enums: [], sequences: [], tables: [] };
