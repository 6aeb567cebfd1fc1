import type pg from 'pg';
import type { Step } from '../plan/types.js';
import { quoteIdent } from '../sql/quote.js';

/**
 * Concurrent index builds and drops, the steps that run outside a transaction and can be cut in half: an
 * interrupted or failed `CREATE INDEX CONCURRENTLY` leaves an INVALID index behind that must be dropped
 * before the build can run again.
 */

const IDENT = String.raw`(?:"(?:[^"]|"")+"|[A-Za-z_][\w$]*)`;
const CREATE_CONCURRENTLY = new RegExp(
  String.raw`^\s*CREATE\s+(?:UNIQUE\s+)?INDEX\s+CONCURRENTLY\s+(?:IF\s+NOT\s+EXISTS\s+)?(${IDENT})\s+ON\s+(?:ONLY\s+)?(${IDENT})(?:\s*\.\s*(${IDENT}))?`,
  'i',
);
const DROP_CONCURRENTLY = new RegExp(
  String.raw`^\s*DROP\s+INDEX\s+CONCURRENTLY\s+(?:IF\s+EXISTS\s+)?(${IDENT})(?:\s*\.\s*(${IDENT}))?`,
  'i',
);

function unquote(ident: string): string {
  return ident.startsWith('"') ? ident.slice(1, -1).replaceAll('""', '"') : ident.toLowerCase();
}

export interface IndexRef {
  readonly schema: string;
  readonly name: string;
}

export type IndexStepKind = { readonly kind: 'create' | 'drop'; readonly index: IndexRef };

function defaultSchema(step: Step): string {
  const table = step.target.table;
  return table?.includes('.') ? table.slice(0, table.indexOf('.')) : 'public';
}

/** Which index a non-transactional step builds or drops, read from its SQL; null for other statements. */
export function indexStep(step: Step): IndexStepKind | null {
  const create = CREATE_CONCURRENTLY.exec(step.sql);
  if (create) {
    const schema = create[3] ? unquote(create[2]!) : defaultSchema(step);
    return { kind: 'create', index: { schema, name: unquote(create[1]!) } };
  }
  const drop = DROP_CONCURRENTLY.exec(step.sql);
  if (drop) {
    return drop[2]
      ? { kind: 'drop', index: { schema: unquote(drop[1]!), name: unquote(drop[2]) } }
      : { kind: 'drop', index: { schema: defaultSchema(step), name: unquote(drop[1]!) } };
  }
  return null;
}

export type IndexState = 'missing' | 'valid' | 'invalid';

export async function indexState(client: pg.Client, index: IndexRef): Promise<IndexState> {
  const { rows } = await client.query<{ valid: boolean; ready: boolean }>(
    `select i.indisvalid as valid, i.indisready as ready
       from pg_index i join pg_class c on c.oid = i.indexrelid join pg_namespace n on n.oid = c.relnamespace
      where n.nspname = $1 and c.relname = $2`,
    [index.schema, index.name],
  );
  const row = rows[0];
  if (!row) return 'missing';
  return row.valid && row.ready ? 'valid' : 'invalid';
}

/** Drop the INVALID leftover of an interrupted or failed concurrent build (never a valid index). */
export async function dropInvalidIndex(client: pg.Client, index: IndexRef): Promise<boolean> {
  if ((await indexState(client, index)) !== 'invalid') return false;
  await client.query(
    `DROP INDEX CONCURRENTLY IF EXISTS ${quoteIdent(index.schema)}.${quoteIdent(index.name)}`,
  );
  return true;
}
