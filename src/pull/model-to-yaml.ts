import { byName, compareQualified, compareStrings, displayName } from '../model/keys.js';
import type {
  EnumType,
  Extension,
  IntrospectionResult,
  RequiredObject,
  Sequence,
  Table,
  UnmanagedObject,
} from '../model/types.js';
import { fileStems } from './file-names.js';
import { sequenceOptionEntries, sequenceTypeOf } from './sequence-yaml.js';
import { objectKey, tableNode } from './table-yaml.js';
import { map, renderDocument, seq, str, type YamlEntry, type YamlNode } from './yaml-text.js';

/**
 * The live model as desired-state YAML: one file per table and one `types.yaml` per schema for its enums and
 * sequences (extensions go in the first schema's). Public lives at the top of the directory, every other
 * schema in a directory of its own. Pure and deterministic: the same model gives the same bytes.
 */

export interface ModelToYamlOptions {
  /**
   * Where editors find tidemark.schema.json, relative to the output directory (or a URL): the
   * `# yaml-language-server: $schema=` comment on each file. Files in a schema's subdirectory get one more
   * `../`. Default: the installed package beside a `schema/` directory at the project root.
   */
  readonly schemaPath?: string;
  /** Objects the tables require (pull/required.ts), written under `requires:` in the first schema's types.yaml. */
  readonly requires?: readonly RequiredObject[];
}

export const DEFAULT_SCHEMA_PATH = '../node_modules/tidemark/tidemark.schema.json';

/** The editor comment for a file `depth` directories below the output directory. */
function schemaComment(schemaPath: string, depth: number): string {
  const relativePath = !/^[a-z][a-z0-9+.-]*:|^\//i.test(schemaPath);
  return `yaml-language-server: $schema=${relativePath ? '../'.repeat(depth) : ''}${schemaPath}`;
}
export const TYPES_FILE = 'types';
const PUBLIC_COMMENT = 'standard public schema';

interface SchemaFiles {
  readonly name: string;
  readonly dir: string;
  readonly enums: EnumType[];
  readonly sequences: Sequence[];
  readonly tables: Table[];
  readonly unmanaged: UnmanagedObject[];
  readonly extensions: Extension[];
  readonly requires: RequiredObject[];
  /** COMMENT ON SCHEMA, when it is not PostgreSQL's own for public. */
  readonly comment: string | null;
}

function enumNode(e: EnumType): YamlNode {
  const values = seq(e.values.map(str));
  return e.comment === null
    ? values
    : map([
        { key: 'values', value: values },
        { key: 'comment', value: str(e.comment) },
      ]);
}

/** The loader reads `ownedBy` as `table.column` split at the dot; a dotted name cannot be written there. */
function ownedByText(owner: NonNullable<Sequence['ownedBy']>): string | null {
  return owner.table.includes('.') || owner.column.includes('.') ? null : `${owner.table}.${owner.column}`;
}

function sequenceEntry(s: Sequence): YamlEntry {
  const type = sequenceTypeOf(s.type);
  const entries: YamlEntry[] = [];
  if (type !== 'bigint') entries.push({ key: 'type', value: str(s.type) });
  entries.push(...sequenceOptionEntries(s, type));
  const comments: string[] = [];
  if (s.ownedBy) {
    const text = ownedByText(s.ownedBy);
    if (text !== null) entries.push({ key: 'ownedBy', value: str(text) });
    else
      comments.push(
        `owned by column ${JSON.stringify(s.ownedBy.column)} of table ${JSON.stringify(s.ownedBy.table)}`,
      );
  }
  if (s.comment !== null) entries.push({ key: 'comment', value: str(s.comment) });
  return { key: objectKey(s.schema, s.name), value: map(entries), comments };
}

function extensionNode(e: Extension): YamlNode {
  const entries: YamlEntry[] = [{ key: 'name', value: str(e.name) }];
  if (e.schema !== 'public') entries.push({ key: 'schema', value: str(e.schema) });
  if (e.version !== null) entries.push({ key: 'version', value: str(e.version) });
  return entries.length === 1 ? str(e.name) : map(entries);
}

function unmanagedLine(u: UnmanagedObject): string {
  const on = u.table === null ? '' : ` on ${displayName({ schema: u.schema, name: u.table })}`;
  // JSON-quoted names keep a hostile name (with a line break, say) on its line.
  const name = u.table === null ? displayName(u) : JSON.stringify(u.name);
  return `  ${u.kind} ${name}${on}`;
}

function typesFile(s: SchemaFiles, schemaPath: string): string {
  const header = [schemaComment(schemaPath, s.dir === '' ? 0 : 1)];
  if (s.comment !== null) {
    // The format has no key for a schema comment yet; say so rather than drop it silently.
    header.push(
      '',
      `COMMENT ON SCHEMA in the database (not managed by tidemark): ${JSON.stringify(s.comment)}`,
    );
  }
  if (s.unmanaged.length > 0) {
    header.push(
      '',
      `Unmanaged objects in schema ${JSON.stringify(s.name)}: tidemark reports them and never changes or drops them.`,
      ...s.unmanaged.map(unmanagedLine),
    );
  }
  const entries: YamlEntry[] = [{ key: 'schema', value: str(s.name) }];
  if (s.extensions.length > 0)
    entries.push({ key: 'extensions', value: seq(s.extensions.map(extensionNode), 'block') });
  if (s.requires.length > 0) {
    const items = s.requires.map((r) =>
      map(
        [
          { key: r.kind, value: str(r.name) },
          { key: 'sql', value: str(r.sql) },
        ],
        'block',
      ),
    );
    entries.push({ key: 'requires', value: seq(items, 'block') });
  }
  if (s.enums.length > 0) {
    const items = s.enums.map((e) => ({ key: objectKey(e.schema, e.name), value: enumNode(e) }));
    entries.push({ key: 'enums', value: map(items, 'block') });
  }
  if (s.sequences.length > 0)
    entries.push({ key: 'sequences', value: map(s.sequences.map(sequenceEntry), 'block') });
  return renderDocument(header, map(entries, 'block'));
}

function tableFile(t: Table, header: string): string {
  const root = map(
    [
      { key: 'schema', value: str(t.schema) },
      { key: 'tables', value: map([{ key: objectKey(t.schema, t.name), value: tableNode(t) }], 'block') },
    ],
    'block',
  );
  return renderDocument([header], root);
}

function groupBySchema(result: IntrospectionResult, requires: readonly RequiredObject[]): SchemaFiles[] {
  const { model } = result;
  const names = new Set<string>([
    ...model.schemas.map((s) => s.name),
    ...model.tables.map((t) => t.schema),
    ...model.enums.map((e) => e.schema),
    ...model.sequences.map((s) => s.schema),
  ]);
  const sorted = [...names].sort((a, b) => (a === 'public' ? -1 : b === 'public' ? 1 : compareStrings(a, b)));
  const dirs = fileStems(sorted.filter((n) => n !== 'public'));
  const bySchema = new Map<string, SchemaFiles>();
  for (const name of sorted) {
    const dir = name === 'public' ? '' : `${dirs.get(name)}/`;
    const comment = model.schemas.find((s) => s.name === name)?.comment ?? null;
    bySchema.set(name, {
      name,
      dir,
      enums: [],
      sequences: [],
      tables: [],
      unmanaged: [],
      extensions: [],
      requires: [],
      comment: name === 'public' && comment === PUBLIC_COMMENT ? null : comment,
    });
  }
  const at = (schema: string) => bySchema.get(schema)!;
  for (const e of [...model.enums].sort(compareQualified)) at(e.schema).enums.push(e);
  for (const s of [...model.sequences].sort(compareQualified)) at(s.schema).sequences.push(s);
  for (const t of [...model.tables].sort(compareQualified)) at(t.schema).tables.push(t);
  for (const u of result.unmanaged) bySchema.get(u.schema)?.unmanaged.push(u);
  // Extensions are database-wide: they go with the first schema, wherever they are installed.
  const first = sorted[0];
  if (first !== undefined) at(first).extensions.push(...[...model.extensions].sort(byName));
  // So are the required objects, in one list: their order (creation order) is what one needs of another.
  if (first !== undefined) at(first).requires.push(...requires);
  return [...bySchema.values()];
}

/**
 * File path (relative, `/`-separated) → YAML text, sorted by path. A schema gets a `types.yaml` when it has
 * extensions, enums, sequences or unmanaged objects to list, or no tables (so the schema is still named).
 */
export function modelToYaml(
  result: IntrospectionResult,
  options: ModelToYamlOptions = {},
): Map<string, string> {
  const schemaPath = options.schemaPath ?? DEFAULT_SCHEMA_PATH;
  const files: Array<[string, string]> = [];
  for (const s of groupBySchema(result, options.requires ?? [])) {
    const stems = fileStems(
      s.tables.map((t) => t.name),
      [TYPES_FILE],
    );
    const hasTypes =
      s.extensions.length + s.enums.length + s.sequences.length + s.unmanaged.length + s.requires.length >
        0 ||
      s.tables.length === 0 ||
      s.comment !== null;
    if (hasTypes) files.push([`${s.dir}${TYPES_FILE}.yaml`, typesFile(s, schemaPath)]);
    const header = schemaComment(schemaPath, s.dir === '' ? 0 : 1);
    for (const t of s.tables) files.push([`${s.dir}${stems.get(t.name)}.yaml`, tableFile(t, header)]);
  }
  files.sort(([a], [b]) => compareStrings(a, b));
  return new Map(files);
}
