import { byName } from '../model/keys.js';
import type {
  CheckConstraint,
  Column,
  ForeignKey,
  Index,
  IndexKey,
  Table,
  UniqueConstraint,
} from '../model/types.js';
import { restoreInLists } from './expression-forms.js';
import { sequenceOptionEntries, sequenceTypeOf } from './sequence-yaml.js';
import { bool, map, seq, str, type YamlEntry, type YamlMap, type YamlNode } from './yaml-text.js';

/**
 * One table as the YAML `load` reads back into the same model. Every constraint is written in its named
 * form (the names are the database's), so no shorthand has to guess a generated name; options equal to
 * PostgreSQL's defaults are left out.
 */

/** A column name the loader reads as a column when written as a bare index key. */
const BARE_COLUMN = /^[a-z_][a-z0-9_$]*$/;
/** What the loader takes for an identifier (a column) rather than an expression in an index key. */
const LOADER_IDENTIFIER = /^\s*(?:[A-Za-z_][A-Za-z0-9_$]*|"(?:[^"]|"")+")\s*$/;

const comment = (text: string | null): YamlEntry[] =>
  text === null ? [] : [{ key: 'comment', value: str(text) }];
const names = (list: readonly string[]) => seq(list.map(str));

/**
 * The key of a table, enum or sequence: the loader splits `a.b` into schema and name at the first dot, so a
 * name holding a dot is written qualified with its (dot-free) schema.
 */
export function objectKey(schema: string, name: string): string {
  const dot = name.indexOf('.');
  return dot > 0 && dot < name.length - 1 ? `${schema}.${name}` : name;
}

/** True when `objectKey` cannot express the name: both the schema and the name hold a dot. */
export function isUnrepresentableKey(schema: string, name: string): boolean {
  return objectKey(schema, name) !== name && schema.includes('.');
}

export function columnNode(column: Column): YamlMap {
  const entries: YamlEntry[] = [{ key: 'type', value: str(column.type) }];
  if (column.notNull) entries.push({ key: 'notNull', value: bool(true) });
  if (column.default !== null) entries.push({ key: 'default', value: str(column.default) });
  if (column.identity) {
    const options = sequenceOptionEntries(column.identity.options, sequenceTypeOf(column.type));
    const kind = str(column.identity.kind);
    entries.push({
      key: 'identity',
      value: options.length === 0 ? kind : map([{ key: 'kind', value: kind }, ...options]),
    });
  }
  if (column.generated !== null) entries.push({ key: 'generated', value: str(column.generated) });
  if (column.collation !== null) entries.push({ key: 'collation', value: str(column.collation) });
  entries.push(...comment(column.comment));
  return map(entries);
}

function deferrableEntries(deferrable: false | 'immediate' | 'deferred'): YamlEntry[] {
  return deferrable === false ? [] : [{ key: 'deferrable', value: str(deferrable) }];
}

function uniqueNode(u: UniqueConstraint): YamlNode {
  const extra: YamlEntry[] = [
    ...(u.nullsNotDistinct ? [{ key: 'nullsNotDistinct', value: bool(true) }] : []),
    ...deferrableEntries(u.deferrable),
    ...comment(u.comment),
  ];
  return extra.length === 0 ? names(u.columns) : map([{ key: 'columns', value: names(u.columns) }, ...extra]);
}

function checkNode(c: CheckConstraint, columns: readonly Column[]): YamlNode {
  const extra: YamlEntry[] = [
    ...(c.noInherit ? [{ key: 'noInherit', value: bool(true) }] : []),
    ...comment(c.comment),
  ];
  const expression = str(restoreInLists(c.expression, columns));
  return extra.length === 0 ? expression : map([{ key: 'expression', value: expression }, ...extra]);
}

function foreignKeyNode(table: Table, fk: ForeignKey): YamlMap {
  const ref = fk.references;
  const refEntries: YamlEntry[] = [];
  // The loader defaults the referenced schema to the file's; a dotted table name is always qualified.
  if (ref.schema !== table.schema || ref.table.includes('.'))
    refEntries.push({ key: 'schema', value: str(ref.schema) });
  refEntries.push({ key: 'table', value: str(ref.table) }, { key: 'columns', value: names(ref.columns) });
  const entries: YamlEntry[] = [
    { key: 'columns', value: names(fk.columns) },
    { key: 'references', value: map(refEntries) },
  ];
  if (fk.onDelete !== 'no action') entries.push({ key: 'onDelete', value: str(fk.onDelete) });
  if (fk.onUpdate !== 'no action') entries.push({ key: 'onUpdate', value: str(fk.onUpdate) });
  if (fk.match !== 'simple') entries.push({ key: 'match', value: str(fk.match) });
  entries.push(...deferrableEntries(fk.deferrable), ...comment(fk.comment));
  return map(entries);
}

function indexKeyNode(key: IndexKey, columnNames: ReadonlySet<string>): YamlNode {
  const options: YamlEntry[] = [];
  if (key.opclass !== null) options.push({ key: 'opclass', value: str(key.opclass) });
  if (key.collation !== null) options.push({ key: 'collation', value: str(key.collation) });
  if (key.order === 'desc') options.push({ key: 'order', value: str('desc') });
  if (key.nulls !== null) options.push({ key: 'nulls', value: str(key.nulls) });
  if (key.column !== null) {
    if (options.length === 0 && BARE_COLUMN.test(key.column)) return str(key.column);
    return map([{ key: 'column', value: str(key.column) }, ...options]);
  }
  const expression = key.expression ?? '';
  // A bare string that looks like an identifier or names a column would be read back as a column.
  const ambiguous = LOADER_IDENTIFIER.test(expression) || columnNames.has(expression.trim());
  if (options.length === 0 && !ambiguous) return str(expression);
  return map([{ key: 'expr', value: str(expression) }, ...options]);
}

function indexNode(index: Index, columns: readonly Column[]): YamlMap {
  const columnNames = new Set(columns.map((c) => c.name));
  const entries: YamlEntry[] = [
    { key: 'columns', value: seq(index.keys.map((k) => indexKeyNode(k, columnNames))) },
  ];
  if (index.unique) entries.push({ key: 'unique', value: bool(true) });
  if (index.nullsNotDistinct) entries.push({ key: 'nullsNotDistinct', value: bool(true) });
  if (index.method !== 'btree') entries.push({ key: 'method', value: str(index.method) });
  if (index.include.length > 0) entries.push({ key: 'include', value: names(index.include) });
  if (index.where !== null) entries.push({ key: 'where', value: str(restoreInLists(index.where, columns)) });
  entries.push(...comment(index.comment));
  return map(entries);
}

const NOT_VALID = (what: string) => [
  `NOT VALID in the database: this ${what} is not yet checked against existing rows.`,
  'The YAML cannot say so; it describes the validated constraint.',
];

export function tableNode(table: Table): YamlMap {
  const entries: YamlEntry[] = [...comment(table.comment)];
  entries.push({
    key: 'columns',
    value: map(
      table.columns.map((c) => ({ key: c.name, value: columnNode(c) })),
      'block',
    ),
  });
  const pk = table.primaryKey;
  if (pk) {
    const pkEntries: YamlEntry[] = [
      { key: 'name', value: str(pk.name) },
      { key: 'columns', value: names(pk.columns) },
      ...comment(pk.comment),
    ];
    entries.push({ key: 'primaryKey', value: map(pkEntries) });
  }
  const section = <T extends { name: string }>(
    key: string,
    list: readonly T[],
    node: (item: T) => YamlNode,
    notes: (item: T) => readonly string[] = () => [],
  ) => {
    if (list.length === 0) return;
    const items = [...list]
      .sort(byName)
      .map((item) => ({ key: item.name, value: node(item), comments: notes(item) }));
    entries.push({ key, value: map(items, 'block') });
  };
  section('unique', table.uniques, uniqueNode);
  section(
    'checks',
    table.checks,
    (c) => checkNode(c, table.columns),
    (c) => (c.valid ? [] : NOT_VALID('check')),
  );
  section(
    'foreignKeys',
    table.foreignKeys,
    (fk) => foreignKeyNode(table, fk),
    (fk) => (fk.valid ? [] : NOT_VALID('foreign key')),
  );
  section(
    'indexes',
    table.indexes,
    (i) => indexNode(i, table.columns),
    (i) =>
      i.valid
        ? []
        : [
            'INVALID in the database: a failed or interrupted CREATE INDEX CONCURRENTLY left it unusable.',
            'The YAML describes the index as it should be; drop and rebuild it.',
          ],
  );
  return map(entries, 'block');
}
