import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Document, isMap, parseDocument, type YAMLMap } from 'yaml';

/**
 * Deterministic edits of pulled table files, standing in for a developer's change set: every k-th table file
 * (k = 100 / percent) gets one edit, the kinds taken in turn so each appears equally often.
 */

export type EditKind = 'add-column' | 'add-index' | 'change-default' | 'add-check';
export const EDIT_KINDS: readonly EditKind[] = ['add-column', 'add-index', 'change-default', 'add-check'];

export interface TableEdit {
  readonly file: string;
  readonly table: string;
  readonly kind: EditKind;
}

function mapAt(doc: Document, parent: YAMLMap, key: string): YAMLMap {
  const existing = parent.get(key);
  if (isMap(existing)) return existing;
  const created = doc.createNode({}) as YAMLMap;
  parent.set(key, created);
  return created;
}

function applyEdit(doc: Document, table: string, node: YAMLMap, kind: EditKind): void {
  switch (kind) {
    case 'add-column':
      mapAt(doc, node, 'columns').set('bench_note', doc.createNode({ type: 'text' }));
      return;
    case 'add-index':
      mapAt(doc, node, 'indexes').set(
        `${table}_bench_idx`,
        doc.createNode({ columns: ['updated_at', 'id'] }),
      );
      return;
    case 'change-default': {
      const amount = mapAt(doc, node, 'columns').get('amount');
      if (!isMap(amount)) throw new Error(`table ${table} has no column amount to change the default of`);
      amount.set('default', '1');
      return;
    }
    case 'add-check':
      mapAt(doc, node, 'checks').set(`${table}_bench_check`, 'amount < 1000000000');
      return;
    default: {
      const never: never = kind;
      throw new Error(`unknown edit ${String(never)}`);
    }
  }
}

/** Edit `percent`% of the table files under `dir` in place; returns what was done, in file order. */
export function editTableFiles(dir: string, percent: number): TableEdit[] {
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.yaml') && f !== 'types.yaml')
    .sort();
  const step = Math.max(1, Math.round(100 / percent));
  const edits: TableEdit[] = [];
  for (let i = 0; i < files.length; i += step) {
    const file = files[i]!;
    const path = join(dir, file);
    const doc = parseDocument(readFileSync(path, 'utf8'));
    const tables = doc.get('tables');
    if (!isMap(tables) || tables.items.length !== 1) throw new Error(`${file}: expected one table`);
    const pair = tables.items[0]!;
    const table = String((pair.key as { value?: unknown }).value ?? pair.key);
    if (!isMap(pair.value)) throw new Error(`${file}: table ${table} is not a mapping`);
    const kind = EDIT_KINDS[edits.length % EDIT_KINDS.length]!;
    applyEdit(doc, table, pair.value, kind);
    writeFileSync(path, doc.toString({ lineWidth: 0 }));
    edits.push({ file, table, kind });
  }
  return edits;
}
