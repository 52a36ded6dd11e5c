import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { sql } from 'drizzle-orm';
import { drizzle, type PgliteDatabase } from 'drizzle-orm/pglite';
import { migrate } from 'drizzle-orm/pglite/migrator';
import { DatabaseClient } from '../database.client';
import type { DbExecutor, PoolStats } from '../database.types';
import { withTimeout } from './with-timeout';

/**
 * PostgreSQL's own default, 128 MB of shared buffers, is sized for a server; inside this process it is WebAssembly
 * memory that is touched as pages are read and never given back. The embedded database holds a development or
 * demo data set: 32 MB caches all of it and keeps the process's resident memory about 100 MB lower.
 */
const START_PARAMS = [...PGlite.defaultStartParams, '-c', 'shared_buffers=32MB'];

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
    private readonly lockFile?: string,
  ) {
    super();
    this.db = drizzle({ client: pglite });
  }

  static async open(target: { dataDir: string } | 'memory'): Promise<PgliteClient> {
    if (target === 'memory') {
      const pglite = await PGlite.create({ startParams: START_PARAMS });
      return new PgliteClient('pglite-memory', pglite);
    }
    mkdirSync(target.dataDir, { recursive: true });
    const lockFile = claimDataDir(target.dataDir);
    try {
      const pglite = await PGlite.create(target.dataDir, { startParams: START_PARAMS });
      return new PgliteClient('pglite', pglite, lockFile);
    } catch (error) {
      rmSync(lockFile, { force: true });
      throw error;
    }
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
    if (this.lockFile) rmSync(this.lockFile, { force: true });
  }
}

const isAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
};

/**
 * A PGlite data directory belongs to one process at a time (two writers would corrupt it). A lock file
 * with the owner's pid makes a second process fail with a clear message; a stale one is taken over.
 */
function claimDataDir(dataDir: string): string {
  const lockFile = join(dataDir, 'api.lock');
  try {
    writeFileSync(lockFile, String(process.pid), { flag: 'wx' });
    return lockFile;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  const owner = Number(readFileSync(lockFile, 'utf8').trim());
  if (Number.isInteger(owner) && owner > 0 && owner !== process.pid && isAlive(owner)) {
    throw new Error(
      `DATA_DIR ${dataDir} is in use by process ${owner}: the embedded database serves one process at a time ` +
        '(stop it first, or use DATABASE_URL with a PostgreSQL server)',
    );
  }
  writeFileSync(lockFile, String(process.pid));
  return lockFile;
}
