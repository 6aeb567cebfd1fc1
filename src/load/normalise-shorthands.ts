import { chooseConstraintName } from './names.js';
import { type Ctx, origin } from './normalise-table.js';
import { setOrigin } from './origin.js';
import type { DataPath } from './source.js';
import type { DesiredCheck, DesiredForeignKey, DesiredUnique } from './types.js';

/**
 * Column shorthands (`unique: true`, `check: …`, `references: parents.id`) → the named constraints
 * PostgreSQL would create for them, named as it would name them.
 */
export function columnShorthands(
  ctx: Ctx,
  col: string,
  c: Record<string, unknown>,
  path: DataPath,
  taken: Set<string>,
  out: { uniques: DesiredUnique[]; checks: DesiredCheck[]; foreignKeys: DesiredForeignKey[] },
): void {
  const here = (k: string) => ctx.doc.at([...path, k]);
  const colPath = () => path;
  if (c.unique === true) {
    const name = chooseConstraintName(ctx.tableName, col, 'key', taken);
    taken.add(name);
    const u: DesiredUnique = {
      name,
      columns: [col],
      nullsNotDistinct: false,
      deferrable: false,
      comment: null,
      source: here('unique'),
      renamedFrom: [],
    };
    out.uniques.push(setOrigin(u, origin(ctx, [...path, 'unique'], { columnPath: colPath })));
  }
  if (typeof c.check === 'string') {
    const name = chooseConstraintName(ctx.tableName, col, 'check', taken);
    taken.add(name);
    const k: DesiredCheck = {
      name,
      expression: c.check,
      noInherit: false,
      valid: true,
      comment: null,
      source: here('check'),
      renamedFrom: [],
    };
    out.checks.push(setOrigin(k, origin(ctx, [...path, 'check'])));
  }
  if (typeof c.references === 'string') {
    const parts = c.references.split('.');
    if (parts.length < 2 || parts.length > 3 || parts.some((p) => p.length === 0)) {
      ctx.sink.add(
        ctx.doc,
        [...path, 'references'],
        'invalid-reference',
        `references of column ${ctx.tableName}.${col} must be table.column or schema.table.column, not "${c.references}"`,
        { which: 'value', hint: 'for example: references: parents.id' },
      );
      return;
    }
    const [schema, table, column] = parts.length === 3 ? parts : [ctx.namespace, ...parts];
    const name = chooseConstraintName(ctx.tableName, col, 'fkey', taken);
    taken.add(name);
    const f: DesiredForeignKey = {
      name,
      columns: [col],
      references: { schema: schema!, table: table!, columns: [column!] },
      onDelete: 'no action',
      onUpdate: 'no action',
      match: 'simple',
      deferrable: false,
      valid: true,
      comment: null,
      source: here('references'),
      renamedFrom: [],
    };
    const refPath = [...path, 'references'];
    out.foreignKeys.push(
      setOrigin(f, origin(ctx, refPath, { columnPath: colPath, refColumnPath: () => refPath })),
    );
  }
}
