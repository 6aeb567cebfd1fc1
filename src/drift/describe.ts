import type { Change } from '../diff/change.js';
import { assertNever } from '../errors.js';
import type { DesiredState, DesiredTable, SourceRef } from '../load/types.js';
import { displayName } from '../model/keys.js';
import type { Column, QualifiedName } from '../model/types.js';

/**
 * Drift in the user's words: each difference between the live database and schema/ as one sentence, with
 * the YAML position it concerns when there is one (a missing table points at its definition; an extra
 * column at the table that should not have it).
 */
export interface DriftItem {
  /** The object kind: table, column, index, constraint, enum, sequence, extension, schema. */
  readonly kind: string;
  readonly object: string;
  readonly message: string;
  readonly source: SourceRef | null;
}

function findTable(state: DesiredState, q: QualifiedName): DesiredTable | undefined {
  return state.tables.find((t) => t.schema === q.schema && t.name === q.name);
}

function at(source: SourceRef | undefined | null): string {
  return source ? `${source.file}:${source.line}` : 'schema/';
}

function nullText(v: string | null): string {
  return v === null ? 'none' : v;
}

function columnDifferences(table: QualifiedName, from: Column, to: Column, where: string): string[] {
  const name = `column ${displayName(table)}.${to.name}`;
  const out: string[] = [];
  if (from.type !== to.type) out.push(`${name} is ${from.type} in the database, ${to.type} in ${where}`);
  if (from.collation !== to.collation) {
    out.push(
      `${name} has collation ${nullText(from.collation)} in the database, ${nullText(to.collation)} in ${where}`,
    );
  }
  if (from.notNull !== to.notNull) {
    out.push(
      `${name} is ${from.notNull ? 'NOT NULL' : 'nullable'} in the database, ${to.notNull ? 'NOT NULL' : 'nullable'} in ${where}`,
    );
  }
  if (from.default !== to.default) {
    out.push(
      `${name} has default ${nullText(from.default)} in the database, ${nullText(to.default)} in ${where}`,
    );
  }
  if (JSON.stringify(from.identity) !== JSON.stringify(to.identity)) {
    const id = (c: Column) => (c.identity ? `identity ${c.identity.kind}` : 'no identity');
    out.push(
      `${name} has ${id(from)} in the database, ${id(to)} in ${where}${from.identity && to.identity && from.identity.kind === to.identity.kind ? ' (sequence options differ)' : ''}`,
    );
  }
  if (from.generated !== to.generated) {
    out.push(
      `${name} is generated as ${nullText(from.generated)} in the database, ${nullText(to.generated)} in ${where}`,
    );
  }
  if (from.comment !== to.comment)
    out.push(`${name} has a different comment in the database than in ${where}`);
  return out;
}

export function describeChanges(changes: readonly Change[], state: DesiredState): DriftItem[] {
  const items: DriftItem[] = [];
  const add = (kind: string, object: string, message: string, source: SourceRef | null | undefined) =>
    items.push({ kind, object, message, source: source ?? null });
  const tableSource = (q: QualifiedName) => findTable(state, q)?.source;
  const memberSource = (q: QualifiedName, name: string) => {
    const t = findTable(state, q);
    if (!t) return undefined;
    const members = [
      ...(t.primaryKey ? [t.primaryKey] : []),
      ...t.uniques,
      ...t.checks,
      ...t.foreignKeys,
      ...t.indexes,
    ];
    return members.find((m) => m.name === name)?.source ?? t.source;
  };
  for (const c of changes) {
    switch (c.kind) {
      case 'schema.create':
        add('schema', c.name, `schema ${c.name} is missing from the database`, null);
        break;
      case 'required.create':
        add(
          c.required.kind,
          c.required.name,
          `${c.required.kind} ${c.required.name}, which the tables require, is missing from the database`,
          state.requires.find((r) => r.kind === c.required.kind && r.name === c.required.name)?.source,
        );
        break;
      case 'extension.create':
        add(
          'extension',
          c.extension.name,
          `extension ${c.extension.name} is not installed in the database`,
          state.extensions.find((e) => e.name === c.extension.name)?.source,
        );
        break;
      case 'extension.drop':
        add(
          'extension',
          c.extension.name,
          `extension ${c.extension.name} is installed in the database but not in schema/`,
          null,
        );
        break;
      case 'extension.update':
        add(
          'extension',
          c.extension.name,
          `extension ${c.extension.name} is version ${c.from} in the database, ${c.extension.version} in schema/`,
          state.extensions.find((e) => e.name === c.extension.name)?.source,
        );
        break;
      case 'enum.create':
      case 'enum.drop':
      case 'enum.rename':
      case 'enum.add-value':
      case 'enum.rename-value':
      case 'enum.recreate':
      case 'enum.comment': {
        const e = c.enum;
        const source = state.enums.find((x) => x.schema === e.schema && x.name === e.name)?.source;
        const name = `enum ${displayName(e)}`;
        const message =
          c.kind === 'enum.create'
            ? `${name} is missing from the database`
            : c.kind === 'enum.drop'
              ? `${name} exists in the database but not in schema/`
              : c.kind === 'enum.rename'
                ? `${name} is still named ${c.from.name} in the database`
                : c.kind === 'enum.add-value'
                  ? `${name} lacks the value '${c.value}' in the database`
                  : c.kind === 'enum.rename-value'
                    ? `${name} still has the value '${c.from}' where ${at(source)} says '${c.to}'`
                    : c.kind === 'enum.recreate'
                      ? `${name} has values ${c.from.values.join(', ')} in the database, ${e.values.join(', ')} in ${at(source)}`
                      : `${name} has a different comment in the database`;
        add('enum', displayName(e), message, c.kind === 'enum.drop' ? null : source);
        break;
      }
      case 'sequence.create':
      case 'sequence.drop':
      case 'sequence.alter':
      case 'sequence.owned-by': {
        const s = c.sequence;
        const source = state.sequences.find((x) => x.schema === s.schema && x.name === s.name)?.source;
        const name = `sequence ${displayName(s)}`;
        const message =
          c.kind === 'sequence.create'
            ? `${name} is missing from the database`
            : c.kind === 'sequence.drop'
              ? `${name} exists in the database but not in schema/`
              : c.kind === 'sequence.alter'
                ? `${name} has different options in the database than in ${at(source)}`
                : `${name} is owned by a different column in the database`;
        add('sequence', displayName(s), message, c.kind === 'sequence.drop' ? null : source);
        break;
      }
      case 'table.create':
        add(
          'table',
          displayName(c.table),
          `table ${displayName(c.table)} is missing from the database`,
          tableSource(c.table),
        );
        break;
      case 'table.drop':
        add(
          'table',
          displayName(c.table),
          `table ${displayName(c.table)} exists in the database but not in schema/`,
          null,
        );
        break;
      case 'table.rename':
        add(
          'table',
          displayName(c.table),
          `table ${displayName(c.table)} is still named ${c.from.name} in the database`,
          tableSource(c.table),
        );
        break;
      case 'table.comment':
        add(
          'table',
          displayName(c.table),
          `table ${displayName(c.table)} has a different comment in the database`,
          tableSource(c.table),
        );
        break;
      case 'column.add': {
        const src = findTable(state, c.table)?.columns.find((x) => x.name === c.column.name)?.source;
        add(
          'column',
          `${displayName(c.table)}.${c.column.name}`,
          `column ${displayName(c.table)}.${c.column.name} is missing from the database`,
          src,
        );
        break;
      }
      case 'column.drop':
        add(
          'column',
          `${displayName(c.table)}.${c.column.name}`,
          `column ${displayName(c.table)}.${c.column.name} exists in the database but not in ${at(tableSource(c.table))}`,
          tableSource(c.table),
        );
        break;
      case 'column.rename':
        add(
          'column',
          `${displayName(c.table)}.${c.to}`,
          `column ${displayName(c.table)}.${c.to} is still named ${c.from} in the database`,
          findTable(state, c.table)?.columns.find((x) => x.name === c.to)?.source,
        );
        break;
      case 'column.alter': {
        const src = findTable(state, c.table)?.columns.find((x) => x.name === c.column.name)?.source;
        for (const message of columnDifferences(c.table, c.from, c.column, at(src))) {
          add('column', `${displayName(c.table)}.${c.column.name}`, message, src);
        }
        break;
      }
      case 'pk.add':
      case 'unique.add':
      case 'check.add':
      case 'fk.add':
      case 'index.create': {
        const name = memberName(c);
        const kind = c.kind === 'index.create' ? 'index' : 'constraint';
        add(
          kind,
          `${displayName(c.table)}.${name}`,
          `${kindWord(c.kind)} ${name} on ${displayName(c.table)} is missing from the database (or differs from ${at(memberSource(c.table, name))})`,
          memberSource(c.table, name),
        );
        break;
      }
      case 'pk.drop':
      case 'unique.drop':
      case 'check.drop':
      case 'fk.drop':
      case 'index.drop': {
        const name = memberName(c);
        const kind = c.kind === 'index.drop' ? 'index' : 'constraint';
        add(
          kind,
          `${displayName(c.table)}.${name}`,
          `${kindWord(c.kind)} ${name} on ${displayName(c.table)} exists in the database but not as written in schema/`,
          memberSource(c.table, name) ?? tableSource(c.table),
        );
        break;
      }
      case 'check.validate':
      case 'fk.validate': {
        const name = c.kind === 'check.validate' ? c.check.name : c.foreignKey.name;
        add(
          'constraint',
          `${displayName(c.table)}.${name}`,
          `${kindWord(c.kind)} ${name} on ${displayName(c.table)} is NOT VALID in the database`,
          memberSource(c.table, name),
        );
        break;
      }
      case 'constraint.rename':
      case 'index.rename':
        add(
          c.kind === 'index.rename' ? 'index' : 'constraint',
          `${displayName(c.table)}.${c.to}`,
          `${c.kind === 'index.rename' ? 'index' : 'constraint'} ${c.to} on ${displayName(c.table)} is named ${c.from} in the database`,
          memberSource(c.table, c.to),
        );
        break;
      case 'constraint.comment':
        add(
          'constraint',
          `${displayName(c.table)}.${c.name}`,
          `constraint ${c.name} on ${displayName(c.table)} has a different comment in the database`,
          memberSource(c.table, c.name),
        );
        break;
      case 'index.comment':
        add(
          'index',
          `${displayName(c.table)}.${c.index.name}`,
          `index ${c.index.name} on ${displayName(c.table)} has a different comment in the database`,
          memberSource(c.table, c.index.name),
        );
        break;
      default:
        assertNever(c, 'change kind');
    }
  }
  return items;
}

type MemberChange = Extract<
  Change,
  {
    kind:
      | 'pk.add'
      | 'pk.drop'
      | 'unique.add'
      | 'unique.drop'
      | 'check.add'
      | 'check.drop'
      | 'fk.add'
      | 'fk.drop'
      | 'index.create'
      | 'index.drop';
  }
>;

/** The name of the constraint or index a change adds or drops. */
function memberName(c: MemberChange): string {
  switch (c.kind) {
    case 'pk.add':
    case 'pk.drop':
      return c.primaryKey.name;
    case 'unique.add':
    case 'unique.drop':
      return c.unique.name;
    case 'check.add':
    case 'check.drop':
      return c.check.name;
    case 'fk.add':
    case 'fk.drop':
      return c.foreignKey.name;
    default:
      return c.index.name;
  }
}

function kindWord(kind: string): string {
  const prefix = kind.split('.')[0];
  switch (prefix) {
    case 'pk':
      return 'primary key';
    case 'unique':
      return 'unique constraint';
    case 'check':
      return 'check';
    case 'fk':
      return 'foreign key';
    default:
      return 'index';
  }
}
