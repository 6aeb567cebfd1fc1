import type { QualifiedName, SequenceOptions } from '../model/types.js';
import { qualify, quoteIdent, quoteLiteral } from './quote.js';
import { renderSequenceOptions } from './render-table.js';

/** DDL for the objects that do not belong to a table: schemas, extensions, enums, sequences, comments. */

export function renderCreateSchema(name: string): string {
  return `CREATE SCHEMA ${quoteIdent(name)}`;
}

export function renderCreateExtension(ext: { name: string; schema: string; version: string | null }): string {
  const version = ext.version ? ` VERSION ${quoteLiteral(ext.version)}` : '';
  return `CREATE EXTENSION IF NOT EXISTS ${quoteIdent(ext.name)} WITH SCHEMA ${quoteIdent(ext.schema)}${version}`;
}

export function renderCreateEnum(e: QualifiedName & { values: readonly string[] }): string {
  return `CREATE TYPE ${qualify(e)} AS ENUM (${e.values.map(quoteLiteral).join(', ')})`;
}

export function renderCreateSequence(seq: QualifiedName & { options: Partial<SequenceOptions> }): string {
  const options = renderSequenceOptions(seq.options);
  return `CREATE SEQUENCE ${qualify(seq)}${options ? ` ${options}` : ''}`;
}

export function renderSequenceOwnedBy(
  seq: QualifiedName,
  owner: { table: string; column: string } | null,
): string {
  const target = owner
    ? `${qualify({ schema: seq.schema, name: owner.table })}.${quoteIdent(owner.column)}`
    : 'NONE';
  return `ALTER SEQUENCE ${qualify(seq)} OWNED BY ${target}`;
}

/** A sequence by name, or the identity sequence of a column (named by PostgreSQL, found at run time). */
export type SequenceRef =
  | { readonly kind: 'sequence'; readonly sequence: QualifiedName }
  | { readonly kind: 'identity'; readonly table: QualifiedName; readonly column: string };

/**
 * The statement that moves a sequence forward into the range an ALTER is about to give it, or null when the
 * change cannot need one. PostgreSQL refuses a MINVALUE above an ascending sequence's current value (and a
 * MAXVALUE below a descending one's): "RESTART value (1) cannot be less than MINVALUE (10)". Moved to the new
 * bound and not yet called, the sequence goes on from there in its own direction, so no value is issued
 * twice. A sequence already beyond the far end of its new range is left for the ALTER to refuse: whether to
 * reuse values is for a person to decide.
 *
 * An identity sequence is read through pg_sequence_last_value, which is null until the sequence is first
 * called; its next value is then its start (`pendingStart`), unless someone restarted it by hand.
 */
export function renderMoveIntoRange(
  ref: SequenceRef,
  from: Pick<SequenceOptions, 'min' | 'max' | 'start'>,
  to: Pick<SequenceOptions, 'min' | 'max' | 'increment'>,
): string | null {
  const ascending = BigInt(to.increment) > 0n;
  const bound = ascending ? to.min : to.max;
  const raised = ascending ? BigInt(to.min) > BigInt(from.min) : BigInt(to.max) < BigInt(from.max);
  if (!raised) return null;
  const outside = ascending ? '<' : '>';
  if (ref.kind === 'sequence') {
    const name = qualify(ref.sequence);
    return `SELECT setval(${quoteLiteral(name)}, ${bound}, false) FROM ${name} WHERE last_value ${outside} ${bound}`;
  }
  const seq = `pg_get_serial_sequence(${quoteLiteral(qualify(ref.table))}, ${quoteLiteral(ref.column)})`;
  return `SELECT setval(s.seq, ${bound}, false) FROM (SELECT ${seq}::regclass AS seq) s WHERE coalesce(pg_sequence_last_value(s.seq), ${from.start}) ${outside} ${bound}`;
}

export type CommentTarget =
  | { readonly kind: 'schema'; readonly name: string }
  | { readonly kind: 'table' | 'type' | 'sequence' | 'index'; readonly object: QualifiedName }
  | { readonly kind: 'column'; readonly table: QualifiedName; readonly column: string }
  | { readonly kind: 'constraint'; readonly table: QualifiedName; readonly constraint: string };

export function renderComment(target: CommentTarget, text: string | null): string {
  const value = text === null ? 'NULL' : quoteLiteral(text);
  switch (target.kind) {
    case 'schema':
      return `COMMENT ON SCHEMA ${quoteIdent(target.name)} IS ${value}`;
    case 'table':
      return `COMMENT ON TABLE ${qualify(target.object)} IS ${value}`;
    case 'type':
      return `COMMENT ON TYPE ${qualify(target.object)} IS ${value}`;
    case 'sequence':
      return `COMMENT ON SEQUENCE ${qualify(target.object)} IS ${value}`;
    case 'index':
      return `COMMENT ON INDEX ${qualify(target.object)} IS ${value}`;
    case 'column':
      return `COMMENT ON COLUMN ${qualify(target.table)}.${quoteIdent(target.column)} IS ${value}`;
    case 'constraint':
      return `COMMENT ON CONSTRAINT ${quoteIdent(target.constraint)} ON ${qualify(target.table)} IS ${value}`;
  }
}
