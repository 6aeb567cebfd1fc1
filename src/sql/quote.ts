import type { QualifiedName } from '../model/types.js';

/**
 * Identifier and literal quoting: the only way a name or a value reaches generated SQL. An identifier is left
 * bare only when PostgreSQL would read it back unchanged (lower-case, not a keyword that needs quoting);
 * everything else is double-quoted, so mixed case, spaces, quotes, dots and unicode survive intact.
 */

// Keywords that cannot be bare column or table names (reserved, plus type-function-name and col-name
// categories that are unsafe in some positions). From PostgreSQL's kwlist.h, stable across 14–18.
const QUOTE_KEYWORDS = new Set(
  `all analyse analyze and any array as asc asymmetric authorization between bigint binary bit boolean both case
cast char character check coalesce collate collation column concurrently constraint create cross current_catalog
current_date current_role current_schema current_time current_timestamp current_user dec decimal default
deferrable desc distinct do else end except exists extract false fetch float for foreign freeze from full grant
greatest group grouping having ilike in initially inner inout int integer intersect interval into is isnull join
json json_array json_arrayagg json_exists json_object json_objectagg json_query json_scalar json_serialize
json_table json_value lateral leading least left like limit localtime localtimestamp merge_action national natural
nchar none normalize not notnull null nullif numeric offset on only or order out outer overlaps overlay placing
position precision primary real references returning right row select session_user setof similar smallint some
substring symmetric system_user table tablesample then time timestamp to trailing treat trim true union unique
user using values varchar variadic verbose when where window with xmlattributes xmlconcat xmlelement xmlexists
xmlforest xmlnamespaces xmlparse xmlpi xmlroot xmlserialize xmltable`.split(/\s+/),
);

export function quoteIdent(name: string): string {
  if (/^[a-z_][a-z0-9_$]*$/.test(name) && !QUOTE_KEYWORDS.has(name)) return name;
  return `"${name.replaceAll('"', '""')}"`;
}

export function qualify(q: QualifiedName): string {
  return `${quoteIdent(q.schema)}.${quoteIdent(q.name)}`;
}

/** A string literal; E'' form when the text holds a backslash, so standard_conforming_strings does not matter. */
export function quoteLiteral(text: string): string {
  const body = text.replaceAll("'", "''");
  return text.includes('\\') ? `E'${body.replaceAll('\\', '\\\\')}'` : `'${body}'`;
}

export function quoteIdentList(names: readonly string[]): string {
  return names.map(quoteIdent).join(', ');
}
