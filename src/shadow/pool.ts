import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serverVersionNum, withClient } from '../db/connect.js';
import { type EmbeddedServer, startEmbedded } from '../embedded/server.js';
import { DatabaseError } from '../errors.js';
import { createShadowDatabase, type ShadowDatabase } from './database.js';

/**
 * The shadow databases of one plan. Creating and dropping a database costs the server a second or more, and a
 * plan may need up to three (the compile, and the stable-form trips of both sides), so the pool creates them
 * ahead when the caller expects to need them (while the client is busy loading YAML or reading the catalog)
 * and drops them in the background, finishing at `close`.
 *
 * Where they live: `--shadow-url`'s server; else the target's server (needs CREATEDB); else one embedded
 * PostgreSQL of the target's major, started once for the whole plan.
 */
export class ShadowPool {
  private readonly ahead: Promise<ShadowDatabase>[] = [];
  private readonly pending: Promise<unknown>[] = [];
  private embedded: Promise<{ server: EmbeddedServer; dir: string }> | null = null;
  private closed = false;

  constructor(
    private readonly serverUrl: string,
    private readonly shadowUrl: string | null = null,
  ) {}

  /** Start creating databases now, for `acquire` to hand out later, until `count` are ready or on the way. */
  prepare(count: number): void {
    for (let i = this.ahead.length; i < count; i++) {
      const created = this.create();
      // Failures surface when the database is acquired (or are dropped with it at close).
      created.catch(() => {});
      this.ahead.push(created);
    }
  }

  acquire(): Promise<ShadowDatabase> {
    if (this.closed) throw new Error('internal: shadow pool used after close');
    return this.ahead.shift() ?? this.create();
  }

  /** Drop a database in the background; `close` waits for it. */
  release(db: ShadowDatabase): void {
    this.pending.push(db.drop());
  }

  /** Drop what was prepared and not used, wait for every drop, stop the embedded server if one was started. */
  async close(): Promise<void> {
    this.closed = true;
    for (const created of this.ahead.splice(0)) {
      this.pending.push(created.then((db) => db.drop()).catch(() => {}));
    }
    const results = await Promise.allSettled(this.pending.splice(0));
    const embedded = this.embedded ? await this.embedded.catch(() => null) : null;
    if (embedded) {
      await embedded.server.stop();
      rmSync(embedded.dir, { recursive: true, force: true });
    }
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
  }

  private async create(): Promise<ShadowDatabase> {
    if (this.embedded) return createShadowDatabase((await this.embedded).server.url);
    const server = this.shadowUrl ?? this.serverUrl;
    try {
      return await createShadowDatabase(server);
    } catch (error) {
      if (this.shadowUrl || !(error instanceof DatabaseError)) throw error;
      // No CREATEDB on the target: an embedded server of the target's major, shared by the rest of the plan.
      this.embedded ??= (async () => {
        const major = Math.floor((await withClient(this.serverUrl, serverVersionNum)) / 10000);
        const dir = mkdtempSync(join(tmpdir(), 'tidemark-shadow-'));
        return { server: await startEmbedded({ dataDir: dir, major, persistent: false }), dir };
      })();
      return createShadowDatabase((await this.embedded).server.url);
    }
  }
}
