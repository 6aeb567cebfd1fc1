import pg from 'pg';
import type { Config } from '../config/config.js';
import { startEmbedded } from '../embedded/server.js';
import { DatabaseError, redactUrl } from '../errors.js';

/**
 * Connections. Every connection says it is tidemark (application_name) so a DBA can see it in
 * pg_stat_activity; URLs are only ever shown redacted.
 */

export async function connect(url: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: url, application_name: 'tidemark' });
  try {
    await client.connect();
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new DatabaseError(`cannot connect to ${redactUrl(url)}: ${reason}`, { cause: error });
  }
  // A client error outside a query (server gone) must not crash the process unreported.
  client.on('error', () => {});
  return client;
}

export async function withClient<T>(url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = await connect(url);
  try {
    return await fn(client);
  } finally {
    await client.end().catch(() => {});
  }
}

export interface Target {
  readonly url: string;
  /** True for the embedded local default database. */
  readonly embedded: boolean;
  /** Human description for output, never containing a password. */
  readonly label: string;
  close(): Promise<void>;
}

export const LOCAL_DATABASE = 'tidemark_dev';

/**
 * The database a command works on: the configured URL, or the local default database, an embedded
 * PostgreSQL kept under `.tidemark/` in the project and started for the duration of the command.
 */
export async function openTarget(config: Config): Promise<Target> {
  if (config.databaseUrl) {
    return {
      url: config.databaseUrl,
      embedded: false,
      label: redactUrl(config.databaseUrl),
      close: async () => {},
    };
  }
  const server = await startEmbedded({ dataDir: `${config.stateDir}/pg`, persistent: true });
  const adminUrl = server.url;
  await withClient(adminUrl, async (client) => {
    const { rowCount } = await client.query('select 1 from pg_database where datname = $1', [LOCAL_DATABASE]);
    if (!rowCount) await client.query(`CREATE DATABASE ${LOCAL_DATABASE}`);
  });
  const url = new URL(adminUrl);
  url.pathname = `/${LOCAL_DATABASE}`;
  return {
    url: url.toString(),
    embedded: true,
    label: `local default database (embedded PostgreSQL ${server.major}, .tidemark/pg)`,
    close: () => server.stop(),
  };
}

/** `server_version_num` of the server behind a client, e.g. 150018. */
export async function serverVersionNum(client: pg.Client): Promise<number> {
  const { rows } = await client.query<{ v: string }>("select current_setting('server_version_num') as v");
  return Number(rows[0]?.v);
}
