/**
 * libpq environment for the client tools (pg_dump, pg_restore): connection parts go in PG* variables so no
 * process argument ever holds the URL or its password (argv is visible to every user through ps).
 */

const QUERY_TO_ENV: Readonly<Record<string, string>> = {
  host: 'PGHOST',
  port: 'PGPORT',
  sslmode: 'PGSSLMODE',
  sslrootcert: 'PGSSLROOTCERT',
  sslcert: 'PGSSLCERT',
  sslkey: 'PGSSLKEY',
  options: 'PGOPTIONS',
  target_session_attrs: 'PGTARGETSESSIONATTRS',
  connect_timeout: 'PGCONNECT_TIMEOUT',
};

export interface ConnectionParts {
  readonly database: string;
  readonly env: Readonly<Record<string, string>>;
}

export function connectionEnv(url: string): ConnectionParts {
  const u = new URL(url);
  const env: Record<string, string> = {};
  if (u.hostname) env.PGHOST = decodeURIComponent(u.hostname.replace(/^\[(.*)\]$/, '$1'));
  if (u.port) env.PGPORT = u.port;
  if (u.username) env.PGUSER = decodeURIComponent(u.username);
  if (u.password) env.PGPASSWORD = decodeURIComponent(u.password);
  const database = decodeURIComponent(u.pathname.replace(/^\//, '')) || env.PGUSER || 'postgres';
  env.PGDATABASE = database;
  for (const [key, value] of u.searchParams) {
    const name = QUERY_TO_ENV[key];
    if (name) env[name] = value;
  }
  return { database, env };
}

/** The variables that would let a libpq tool pick up someone else's connection instead of ours. */
export function withoutInheritedPg(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(env)) {
    if (!key.startsWith('PG')) out[key] = value;
  }
  return out;
}
