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
