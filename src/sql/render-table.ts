import type {
  CheckConstraint,
  Column,
  Deferrable,
  ForeignKey,
  Index,
  IndexKey,
  PrimaryKey,
  QualifiedName,
  SequenceOptions,
  UniqueConstraint,
} from '../model/types.js';
import { qualify, quoteIdent, quoteIdentList } from './quote.js';

/**
 * CREATE-side DDL for tables and what hangs off them. Used for the desired state on the shadow database and
 * for plan steps, so the shapes accepted are the loose ones shared by the model and the desired state
 * (identity and sequence options may be partial: missing ones take PostgreSQL's defaults).
 */

export interface ColumnLike extends Omit<Column, 'identity'> {
  readonly identity: {
    readonly kind: 'always' | 'by default';
    readonly options: Partial<Omit<SequenceOptions, 'type'>>;
  } | null;
}

export interface TableLike extends QualifiedName {
  readonly columns: readonly ColumnLike[];
  readonly primaryKey: PrimaryKey | null;
  readonly uniques: readonly UniqueConstraint[];
  readonly checks: readonly CheckConstraint[];
  readonly foreignKeys: readonly ForeignKey[];
  readonly indexes: readonly Index[];
  readonly comment: string | null;
}

export function renderSequenceOptions(options: Partial<SequenceOptions>): string {
  const parts: string[] = [];
  if (options.type) parts.push(`AS ${options.type}`);
  if (options.start !== undefined) parts.push(`START WITH ${options.start}`);
  if (options.increment !== undefined) parts.push(`INCREMENT BY ${options.increment}`);
  if (options.min !== undefined) parts.push(`MINVALUE ${options.min}`);
  if (options.max !== undefined) parts.push(`MAXVALUE ${options.max}`);
  if (options.cache !== undefined) parts.push(`CACHE ${options.cache}`);
  if (options.cycle !== undefined) parts.push(options.cycle ? 'CYCLE' : 'NO CYCLE');
  return parts.join(' ');
}

export function renderIdentity(identity: NonNullable<ColumnLike['identity']>): string {
  const kind = identity.kind === 'always' ? 'ALWAYS' : 'BY DEFAULT';
  const options = renderSequenceOptions(identity.options);
  return `GENERATED ${kind} AS IDENTITY${options ? ` (${options})` : ''}`;
}

/** A column definition as it appears in CREATE TABLE or ADD COLUMN. */
export function renderColumnDefinition(column: ColumnLike): string {
  const parts = [quoteIdent(column.name), column.type];
  if (column.collation) parts.push(`COLLATE ${quoteCollation(column.collation)}`);
  if (column.generated !== null) parts.push(`GENERATED ALWAYS AS (${column.generated}) STORED`);
  if (column.identity) parts.push(renderIdentity(column.identity));
  if (column.default !== null) parts.push(`DEFAULT ${column.default}`);
  if (column.notNull) parts.push('NOT NULL');
  return parts.join(' ');
}

/**
 * A collation name as SQL: one already quoted or schema-qualified (`"C"`, `public."x y"`, as the catalog
 * prints those) is kept; a bare one is quoted as an identifier, so `C` and a keyword such as `default` (the
 * name of the database's default collation) read back as the same collation.
 */
export function quoteCollation(collation: string): string {
  return /^"|\./.test(collation) ? collation : quoteIdent(collation);
}

export function renderDeferrable(deferrable: Deferrable): string {
  if (deferrable === false) return '';
  return deferrable === 'deferred' ? ' DEFERRABLE INITIALLY DEFERRED' : ' DEFERRABLE INITIALLY IMMEDIATE';
}

export function renderPrimaryKeyClause(pk: PrimaryKey): string {
  return `CONSTRAINT ${quoteIdent(pk.name)} PRIMARY KEY (${quoteIdentList(pk.columns)})`;
}

export function renderUniqueClause(u: UniqueConstraint): string {
  const nnd = u.nullsNotDistinct ? ' NULLS NOT DISTINCT' : '';
  return `CONSTRAINT ${quoteIdent(u.name)} UNIQUE${nnd} (${quoteIdentList(u.columns)})${renderDeferrable(u.deferrable)}`;
}

export function renderCheckClause(c: CheckConstraint, notValid = false): string {
  return `CONSTRAINT ${quoteIdent(c.name)} CHECK (${c.expression})${c.noInherit ? ' NO INHERIT' : ''}${notValid ? ' NOT VALID' : ''}`;
}

export function renderForeignKeyClause(fk: ForeignKey, notValid = false): string {
  const ref = qualify({ schema: fk.references.schema, name: fk.references.table });
  let sql = `CONSTRAINT ${quoteIdent(fk.name)} FOREIGN KEY (${quoteIdentList(fk.columns)}) REFERENCES ${ref} (${quoteIdentList(fk.references.columns)})`;
  if (fk.match !== 'simple') sql += ` MATCH ${fk.match.toUpperCase()}`;
  if (fk.onUpdate !== 'no action') sql += ` ON UPDATE ${fk.onUpdate.toUpperCase()}`;
  if (fk.onDelete !== 'no action') sql += ` ON DELETE ${fk.onDelete.toUpperCase()}`;
  sql += renderDeferrable(fk.deferrable);
  if (notValid) sql += ' NOT VALID';
  return sql;
}

/** CREATE TABLE with columns, primary key, uniques and checks; foreign keys and indexes are separate steps. */
export function renderCreateTable(table: TableLike): string {
  const lines = table.columns.map(renderColumnDefinition);
  if (table.primaryKey) lines.push(renderPrimaryKeyClause(table.primaryKey));
  for (const u of table.uniques) lines.push(renderUniqueClause(u));
  for (const c of table.checks) lines.push(renderCheckClause(c, !c.valid));
  const body = lines.length > 0 ? `\n  ${lines.join(',\n  ')}\n` : '';
  return `CREATE TABLE ${qualify(table)} (${body})`;
}

export function renderIndexKey(key: IndexKey): string {
  let sql = key.column !== null ? quoteIdent(key.column) : `(${key.expression})`;
  if (key.collation) sql += ` COLLATE ${quoteCollation(key.collation)}`;
  if (key.opclass) sql += ` ${key.opclass}`;
  if (key.order === 'desc') sql += ' DESC';
  if (key.nulls) sql += ` NULLS ${key.nulls.toUpperCase()}`;
  return sql;
}

export function renderCreateIndex(
  table: QualifiedName,
  index: Index,
  options: { concurrently?: boolean; name?: string } = {},
): string {
  const unique = index.unique ? 'UNIQUE ' : '';
  const concurrently = options.concurrently ? 'CONCURRENTLY ' : '';
  const method = index.method !== 'btree' ? ` USING ${quoteIdent(index.method)}` : '';
  let sql = `CREATE ${unique}INDEX ${concurrently}${quoteIdent(options.name ?? index.name)} ON ${qualify(table)}${method} (${index.keys.map(renderIndexKey).join(', ')})`;
  if (index.include.length > 0) sql += ` INCLUDE (${quoteIdentList(index.include)})`;
  if (index.nullsNotDistinct) sql += ' NULLS NOT DISTINCT';
  if (index.where !== null) sql += ` WHERE ${index.where}`;
  return sql;
}
