import { withClient } from '../db/connect.js';
import { quoteIdent } from '../sql/quote.js';
import { SnapshotError } from './errors.js';
import type { SnapshotRecord } from './types.js';

/**
 * Snapshot by copying the database (`CREATE DATABASE … TEMPLATE`): for the embedded local default database,
 * which comes with no pg_dump of its own. PostgreSQL refuses while anyone is connected to the source, so the
 * caller closes its connections first, and we wait a little for backends that are still exiting.
 */

const IN_USE = '55006';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function maintenanceUrl(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

export function snapshotDatabaseName(database: string, stamp: string): string {
  const suffix = `_snap_${stamp}`;
  // Identifiers are at most 63 bytes; keep the whole stamp and shorten the name.
  let base = database;
  while (Buffer.byteLength(base + suffix) > 63) base = base.slice(0, -1);
  return base + suffix;
}

export async function templateSnapshot(url: string, stamp: string, why: string): Promise<SnapshotRecord> {
  const database = decodeURIComponent(new URL(url).pathname.replace(/^\//, ''));
  const copy = snapshotDatabaseName(database, stamp);
  const admin = maintenanceUrl(url, database === 'postgres' ? 'template1' : 'postgres');
  await withClient(admin, async (client) => {
    for (let attempt = 0; ; attempt++) {
      try {
        await client.query(`CREATE DATABASE ${quoteIdent(copy)} TEMPLATE ${quoteIdent(database)}`);
        return;
      } catch (error) {
        const code = (error as { code?: string }).code;
        if (code !== IN_USE || attempt >= 40) {
          const reason = error instanceof Error ? error.message : String(error);
          const others =
            code === IN_USE ? '; other sessions are connected to it: close them, or pass --no-snapshot' : '';
          throw new SnapshotError(
            `cannot copy database ${database} to ${copy} as the snapshot: ${reason}${others}; nothing was changed`,
            { cause: error },
          );
        }
        await sleep(250);
      }
    }
  });
  const db = quoteIdent(database);
  return {
    kind: 'template',
    location: copy,
    sha256: null,
    note: `database copy ${copy} made with CREATE DATABASE … TEMPLATE ${database} (${why})`,
    restore: [
      `-- connected to the postgres database of the same server:`,
      `DROP DATABASE ${db} WITH (FORCE);`,
      `CREATE DATABASE ${db} TEMPLATE ${quoteIdent(copy)};`,
    ],
  };
}
