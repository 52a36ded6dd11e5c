import type { DatabaseDriverKind, DbExecutor, PoolStats } from './database.types';

/**
 * The connection to PostgreSQL, whichever driver provides it. Used as the DI token (an abstract class,
 * so tests can bind another implementation without string tokens).
 */
export abstract class DatabaseClient {
  abstract readonly kind: DatabaseDriverKind;
  /** The root handle. Repositories reach it (or the ambient transaction) through `TransactionHost.tx`. */
  abstract readonly db: DbExecutor;
  /**
   * Runs `fn` on one dedicated connection with a session-level advisory lock held (PGlite: the single
   * connection). Used by migrations so that two instances starting at once apply them once.
   */
  abstract withAdvisoryLock<T>(key: string, fn: (db: DbExecutor) => Promise<T>): Promise<T>;
  /** Runs drizzle's migrator on the given handle (driver-specific entry point, same SQL). */
  abstract migrate(db: DbExecutor, migrationsFolder: string): Promise<void>;
  /** A trivial query bounded by `timeoutMs`; rejects when the database cannot answer in time. */
  abstract ping(timeoutMs: number): Promise<void>;
  abstract poolStats(): PoolStats;
  abstract close(): Promise<void>;
}
