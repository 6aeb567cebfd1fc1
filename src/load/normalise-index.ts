import type { IndexKey } from '../model/types.js';
import { type Ctx, origin } from './normalise-table.js';
import { bool, isRecord, setOrigin, str, strList } from './origin.js';
import type { DesiredIndex } from './types.js';

/**
 * An index's YAML → DesiredIndex. A key written as a bare identifier is a column; anything else is an
 * expression. Orders and NULLS placements equal to PostgreSQL's defaults are stored as the defaults.
 */

const IDENTIFIER = /^(?:[A-Za-z_][A-Za-z0-9_$]*|"(?:[^"]|"")+")$/;

/** A bare identifier: a column name, unquoted and folded to lower case as PostgreSQL would, or "Quoted". */
export function identifierName(text: string): string | null {
  const t = text.trim();
  if (!IDENTIFIER.test(t)) return null;
  return t.startsWith('"') ? t.slice(1, -1).replaceAll('""', '"') : t.toLowerCase();
}

export function normaliseIndex(
  ctx: Ctx,
  name: string,
  raw: unknown,
  columns: ReadonlySet<string>,
): DesiredIndex {
  const path = [...ctx.tablePath, 'indexes', name];
  const x = isRecord(raw) ? raw : {};
  const rawKeys = Array.isArray(x.columns) ? x.columns : [];
  const keys: IndexKey[] = rawKeys.map((k, i) => {
    const spec = isRecord(k) ? k : {};
    const text = typeof k === 'string' ? k : null;
    let column = str(spec.column);
    let expression = str(spec.expr);
    if (text !== null) {
      const ident = identifierName(text);
      // A bare word is a column, existing or not (the semantic check names a missing one).
      if (ident !== null) column = columns.has(text.trim()) ? text.trim() : ident;
      else expression = text;
    }
    if (column !== null && expression !== null) {
      ctx.sink.add(
        ctx.doc,
        [...path, 'columns', i],
        'invalid-index-key',
        `index ${name} key ${i + 1} sets both column and expr`,
        {
          hint: 'write either column: <name> or expr: <expression>',
        },
      );
    } else if (column === null && expression === null) {
      ctx.sink.add(
        ctx.doc,
        [...path, 'columns', i],
        'invalid-index-key',
        `index ${name} key ${i + 1} needs column or expr`,
      );
    }
    const order = spec.order === 'desc' ? 'desc' : 'asc';
    const defaultNulls = order === 'asc' ? 'last' : 'first';
    const nulls = spec.nulls === 'first' || spec.nulls === 'last' ? spec.nulls : null;
    return {
      column,
      expression: column !== null ? null : expression,
      opclass: str(spec.opclass),
      collation: str(spec.collation),
      order,
      nulls: nulls === defaultNulls ? null : nulls,
    };
  });
  const value: DesiredIndex = {
    name,
    unique: bool(x.unique, false),
    method: str(x.method) ?? 'btree',
    keys,
    include: strList(x.include),
    where: str(x.where),
    nullsNotDistinct: bool(x.nullsNotDistinct, false),
    valid: true,
    comment: str(x.comment),
    source: ctx.doc.at(path),
    renamedFrom: strList(x.renamedFrom),
  };
  return setOrigin(
    value,
    origin(ctx, path, {
      columnPath: (i) => [...path, 'columns', i],
      includePath: (i) => [...path, 'include', i],
      renamedFromPath: [...path, 'renamedFrom'],
    }),
  );
}
