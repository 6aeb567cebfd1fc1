import { randomBytes } from 'node:crypto';
import type pg from 'pg';
import { connect, withClient } from '../db/connect.js';
import { DatabaseError } from '../errors.js';

/**
 * Temporary shadow databases on a server. Names carry their creation time so a later run can sweep what a
 * killed run left behind: `tidemark_shadow_<unix seconds>_<random>`.
 */

const PREFIX = 'tidemark_shadow_';
/** A shadow older than this with nobody connected is left over from a killed run. */
const STALE_AFTER_SECONDS = 15 * 60;

export interface ShadowDatabase {
  readonly url: string;
  readonly name: string;
  drop(): Promise<void>;
}

function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

async function sweepStale(client: pg.Client): Promise<void> {
  const { rows } = await client.query<{ datname: string }>(
    `select d.datname from pg_database d
      where d.datname like $1
        and not exists (select 1 from pg_stat_activity a where a.datname = d.datname)`,
    [`${PREFIX}%`],
  );
  const now = Math.floor(Date.now() / 1000);
  for (const { datname } of rows) {
    const created = Number(datname.slice(PREFIX.length).split('_')[0]);
    if (Number.isFinite(created) && now - created > STALE_AFTER_SECONDS) {
      // Another run may sweep the same one at the same moment; losing that race is fine.
      await client.query(`DROP DATABASE IF EXISTS "${datname}"`).catch(() => {});
    }
  }
}

/** Create an empty database next to `serverUrl`'s database (needs CREATEDB), sweeping stale ones first. */
export async function createShadowDatabase(serverUrl: string): Promise<ShadowDatabase> {
  const name = `${PREFIX}${Math.floor(Date.now() / 1000)}_${randomBytes(4).toString('hex')}`;
  await withClient(serverUrl, async (client) => {
    await sweepStale(client);
    try {
      await client.query(`CREATE DATABASE "${name}" TEMPLATE template0 ENCODING 'UTF8'`);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new DatabaseError(
        `cannot create a temporary shadow database (${reason}); grant CREATEDB to this role or pass --shadow-url`,
        { cause: error },
      );
    }
  });
  return {
    url: withDatabase(serverUrl, name),
    name,
    drop: async () => {
      const client = await connect(serverUrl);
      try {
        await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      } finally {
        await client.end().catch(() => {});
      }
    },
  };
}
