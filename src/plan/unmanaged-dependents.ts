import { withClient } from '../db/connect.js';
import type { Change } from '../diff/change.js';
import { sortDiagnostics } from '../load/diagnostic.js';
import type { DesiredState, Diagnostic, SourceRef } from '../load/types.js';
import { displayName, memberKey, qualifiedKey } from '../model/keys.js';
import type { QualifiedName } from '../model/types.js';

/**
 * Objects tidemark does not manage that read a column or table the plan drops or retypes: a view or
 * materialized view, a rule, a row-level security policy, a trigger's WHEN or UPDATE OF. PostgreSQL refuses
 * such a step ("cannot drop column … because other objects depend on it", "cannot alter type of a column used
 * by a view or rule"), and tidemark never drops what it does not manage, so the apply would stop there, after
 * the snapshot and whatever groups committed before it. Found when the plan is made instead, one error per
 * blocked change, naming what is in the way; nothing is planned and nothing is changed.
 *
 * The dependencies are PostgreSQL's own (`pg_depend`, normal dependencies of rules, policies and triggers on a
 * table or one of its columns), read only when the plan drops a table or a column or changes a column's type.
 * A policy, trigger or rule of a table the plan drops goes with that table and blocks nothing.
 */

interface Dependent {
  readonly refSchema: string;
  readonly refTable: string;
  /** Null for a dependency on the table as a whole. */
  readonly refColumn: string | null;
  readonly depSchema: string;
  readonly depTable: string;
  readonly depRelkind: string;
  readonly depKind: 'rule' | 'policy' | 'trigger';
  readonly depName: string;
}

const DEPENDENTS_SQL = `
SELECT rn.nspname AS "refSchema", rc.relname AS "refTable", a.attname AS "refColumn",
       dn.nspname AS "depSchema", dc.relname AS "depTable", dc.relkind::text AS "depRelkind",
       CASE d.classid WHEN 'pg_rewrite'::regclass THEN 'rule'
                      WHEN 'pg_policy'::regclass THEN 'policy' ELSE 'trigger' END AS "depKind",
       COALESCE(r.rulename, p.polname, t.tgname) AS "depName"
FROM pg_depend d
JOIN pg_class rc ON rc.oid = d.refobjid
JOIN pg_namespace rn ON rn.oid = rc.relnamespace
LEFT JOIN pg_attribute a ON d.refobjsubid > 0 AND a.attrelid = d.refobjid AND a.attnum = d.refobjsubid
LEFT JOIN pg_rewrite r ON d.classid = 'pg_rewrite'::regclass AND r.oid = d.objid
LEFT JOIN pg_policy p ON d.classid = 'pg_policy'::regclass AND p.oid = d.objid
LEFT JOIN pg_trigger t ON d.classid = 'pg_trigger'::regclass AND t.oid = d.objid
JOIN pg_class dc ON dc.oid = COALESCE(r.ev_class, p.polrelid, t.tgrelid)
JOIN pg_namespace dn ON dn.oid = dc.relnamespace
WHERE d.refclassid = 'pg_class'::regclass AND d.deptype = 'n'
  AND d.classid IN ('pg_rewrite'::regclass, 'pg_policy'::regclass, 'pg_trigger'::regclass)
  AND rc.relkind IN ('r', 'p') AND rn.nspname = ANY($1::text[])
ORDER BY 1, 2, 3, 4, 5, 7, 8`;

type Blocked = { readonly what: string; readonly table: QualifiedName; readonly action: string };

export async function blockedByUnmanaged(
  url: string,
  changes: readonly Change[],
  state: DesiredState,
): Promise<Diagnostic[]> {
  // The live name of every table and column the plan drops or retypes; renames map desired names back.
  const tableRenames = new Map<string, QualifiedName>();
  const columnRenames = new Map<string, string>();
  for (const c of changes) {
    if (c.kind === 'table.rename') tableRenames.set(qualifiedKey(c.table), c.from);
    if (c.kind === 'column.rename') columnRenames.set(memberKey(c.table, c.to), c.from);
  }
  const liveTable = (t: QualifiedName) => tableRenames.get(qualifiedKey(t)) ?? t;
  const droppedTables = new Map<string, QualifiedName>();
  const columns = new Map<
    string,
    { table: QualifiedName; desired: QualifiedName; column: string | null; action: string }
  >();
  for (const c of changes) {
    if (c.kind === 'table.drop') droppedTables.set(qualifiedKey(c.table), c.table);
    else if (c.kind === 'column.drop') {
      const table = liveTable(c.table);
      columns.set(memberKey(table, c.column.name), {
        table,
        desired: c.table,
        column: null,
        action: 'dropped',
      });
    } else if (c.kind === 'column.alter' && (c.fields.includes('type') || c.fields.includes('collation'))) {
      const table = liveTable(c.table);
      const name = columnRenames.get(memberKey(c.table, c.column.name)) ?? c.column.name;
      columns.set(memberKey(table, name), {
        table,
        desired: c.table,
        column: c.column.name,
        action: c.fields.includes('type') ? 'changed to another type' : 'changed to another collation',
      });
    } else if (c.kind === 'enum.recreate') {
      for (const x of c.columns) {
        const key = memberKey(x.table, x.column.name);
        if (!columns.has(key)) {
          columns.set(key, {
            table: x.table,
            desired: x.table,
            column: x.column.name,
            action: 'converted to the rebuilt enum',
          });
        }
      }
    }
  }
  // No connection for a plan that drops and retypes nothing (most plans).
  if (droppedTables.size === 0 && columns.size === 0) return [];
  const schemas = [
    ...new Set(
      [...droppedTables.values(), ...[...columns.values()].map((c) => c.table)].map((t) => t.schema),
    ),
  ];
  const rows = await withClient(url, async (client) => {
    const result = await client.query<Dependent>(DEPENDENTS_SQL, [schemas]);
    return result.rows;
  });

  // Where to point: the column's line when the YAML still has it, else its table's.
  const sources = new Map<string, SourceRef>();
  for (const t of state.tables) {
    sources.set(qualifiedKey(t), t.source);
    for (const c of t.columns) sources.set(memberKey(t, c.name), c.source);
  }
  const blocked = new Map<string, { blocked: Blocked; by: Set<string>; source: SourceRef | null }>();
  for (const row of rows) {
    const ref = { schema: row.refSchema, name: row.refTable };
    const owner = { schema: row.depSchema, name: row.depTable };
    // A policy, trigger or rule of a dropped table goes with it; a view is a relation of its own.
    const ownedByDropped =
      droppedTables.has(qualifiedKey(owner)) && row.depRelkind !== 'v' && row.depRelkind !== 'm';
    if (ownedByDropped) continue;
    let hit: { key: string; blocked: Blocked; source: SourceRef | null } | null = null;
    if (droppedTables.has(qualifiedKey(ref))) {
      hit = {
        key: `table ${qualifiedKey(ref)}`,
        blocked: { what: `table ${displayName(ref)}`, table: ref, action: 'dropped' },
        source: null,
      };
    } else if (row.refColumn !== null) {
      const column = columns.get(memberKey(ref, row.refColumn));
      if (column) {
        hit = {
          key: `column ${memberKey(ref, row.refColumn)}`,
          blocked: {
            what: `column ${displayName(ref)}.${row.refColumn}`,
            table: column.desired,
            action: column.action,
          },
          source:
            (column.column === null ? undefined : sources.get(memberKey(column.desired, column.column))) ??
            sources.get(qualifiedKey(column.desired)) ??
            null,
        };
      }
    }
    if (!hit) continue;
    const entry = blocked.get(hit.key) ?? { blocked: hit.blocked, by: new Set<string>(), source: hit.source };
    entry.by.add(describe(row));
    blocked.set(hit.key, entry);
  }
  const out: Diagnostic[] = [];
  for (const { blocked: b, by, source } of blocked.values()) {
    const list = [...by];
    const what = list.length === 1 ? list[0]! : `${list.slice(0, -1).join(', ')} and ${list.at(-1)!}`;
    out.push({
      ...(source ?? { file: '(database)', line: 1, col: 1 }),
      path: '',
      code: 'blocked-by-unmanaged',
      severity: 'error',
      message: `${b.what} cannot be ${b.action}: ${what} ${list.length === 1 ? 'depends' : 'depend'} on it, which tidemark does not manage`,
      hint: `change or drop ${list.length === 1 ? 'it' : 'them'} by hand first (tidemark never drops what it does not manage), then plan again`,
    });
  }
  return sortDiagnostics(out);
}

function describe(row: Dependent): string {
  const table = displayName({ schema: row.depSchema, name: row.depTable });
  if (row.depKind === 'rule' && row.depName === '_RETURN') {
    return `${row.depRelkind === 'm' ? 'materialized view' : 'view'} ${table}`;
  }
  return `${row.depKind} ${row.depName} on ${table}`;
}
