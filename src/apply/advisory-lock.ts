import { hostname } from 'node:os';
import type pg from 'pg';
import { connect } from '../db/connect.js';
import { sha256 } from '../model/fingerprint.js';
import { ApplyLockedError } from './errors.js';

/**
 * One apply at a time per database: a session advisory lock on a fixed key, held on a connection of its own
 * for the whole apply, so it is released the moment the process dies (the server sees the socket close).
 */

const KEY = BigInt.asIntN(64, BigInt(`0x${sha256('tidemark').slice(0, 16)}`));
export const APPLY_LOCK_KEY: string = KEY.toString();
// pg_locks shows a bigint advisory key as its high and low 32 bits (objsubid 1).
const KEY_HIGH = Number(BigInt.asUintN(64, KEY) >> 32n);
const KEY_LOW = Number(BigInt.asUintN(64, KEY) & 0xffffffffn);

export interface ApplyLock {
  readonly client: pg.Client;
  release(): Promise<void>;
}

export function applicationName(role: 'lock' | 'work'): string {
  return `tidemark apply ${role} (pid ${process.pid} on ${hostname()})`.slice(0, 63);
}

interface Holder {
  pid: number;
  application_name: string | null;
  usename: string | null;
  client_addr: string | null;
  backend_start: Date | null;
}

async function describeHolder(client: pg.Client): Promise<string> {
  const { rows } = await client.query<Holder>(
    `select l.pid, a.application_name, a.usename, a.client_addr::text as client_addr, a.backend_start
       from pg_locks l left join pg_stat_activity a on a.pid = l.pid
      where l.locktype = 'advisory' and l.granted and l.objsubid = 1
        and l.database = (select oid from pg_database where datname = current_database())
        and l.classid::bigint = $1 and l.objid::bigint = $2`,
    [KEY_HIGH, KEY_LOW],
  );
  const h = rows[0];
  if (!h) return 'another session (it released the lock just now; run apply again)';
  const who = h.application_name ? `"${h.application_name}"` : 'a session';
  const since = h.backend_start ? `, connected since ${h.backend_start.toISOString()}` : '';
  const from = h.client_addr ? ` from ${h.client_addr}` : '';
  return `${who} (server pid ${h.pid}, user ${h.usename ?? '?'}${from}${since})`;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function acquireApplyLock(url: string, waitMs: number): Promise<ApplyLock> {
  const client = await connect(url);
  try {
    await client.query('select set_config($1, $2, false)', ['application_name', applicationName('lock')]);
    const deadline = Date.now() + waitMs;
    for (;;) {
      const { rows } = await client.query<{ ok: boolean }>('select pg_try_advisory_lock($1::bigint) as ok', [
        APPLY_LOCK_KEY,
      ]);
      if (rows[0]?.ok) break;
      if (Date.now() >= deadline) {
        const holder = await describeHolder(client);
        throw new ApplyLockedError(
          `another apply is running on this database: the lock is held by ${holder}; ` +
            `wait for it to finish (or end that session) and run apply again`,
        );
      }
      await sleep(Math.min(250, Math.max(0, deadline - Date.now())));
    }
  } catch (error) {
    await client.end().catch(() => {});
    throw error;
  }
  return {
    client,
    async release() {
      await client.query('select pg_advisory_unlock($1::bigint)', [APPLY_LOCK_KEY]).catch(() => {});
      await client.end().catch(() => {});
    },
  };
}
