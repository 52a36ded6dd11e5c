import { mkdirSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import { sql } from 'drizzle-orm';
import { drizzle, type PgliteDatabase } from 'drizzle-orm/pglite';
import { migrate } from 'drizzle-orm/pglite/migrator';
import { DatabaseClient } from '../database.client';
import type { DbExecutor, PoolStats } from '../database.types';
import { withTimeout } from './with-timeout';

/**
 * Embedded PostgreSQL (PGlite, WebAssembly) in this process: on disk under DATA_DIR, or in memory.
 * One connection, so queries are serialised by PGlite itself; good for development, demos and tests.
 */
export class PgliteClient extends DatabaseClient {
  readonly db: PgliteDatabase;
  private lockChain: Promise<unknown> = Promise.resolve();

  private constructor(
    readonly kind: 'pglite' | 'pglite-memory',
    private readonly pglite: PGlite,
  ) {
    super();
    this.db = drizzle({ client: pglite });
  }

  static async open(target: { dataDir: string } | 'memory'): Promise<PgliteClient> {
    if (target === 'memory') {
      const pglite = await PGlite.create();
      return new PgliteClient('pglite-memory', pglite);
    }
    mkdirSync(target.dataDir, { recursive: true });
    const pglite = await PGlite.create(target.dataDir);
    return new PgliteClient('pglite', pglite);
  }

  async withAdvisoryLock<T>(_key: string, fn: (db: DbExecutor) => Promise<T>): Promise<T> {
    // One process owns a PGlite data directory; only callers in this process can race, so a promise
    // chain is the lock.
    const run = this.lockChain.then(() => fn(this.db));
    this.lockChain = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  }

  async migrate(db: DbExecutor, migrationsFolder: string): Promise<void> {
    await migrate(db as PgliteDatabase, { migrationsFolder });
  }

  async ping(timeoutMs: number): Promise<void> {
    await withTimeout(this.db.execute(sql`select 1`), timeoutMs, 'PGlite');
  }

  poolStats(): PoolStats {
    return { total: 1, idle: 1, waiting: 0 };
  }

  async close(): Promise<void> {
    if (!this.pglite.closed) await this.pglite.close();
  }
}
