import { sql } from 'drizzle-orm';
import { readMigrationFiles } from 'drizzle-orm/migrator';
import type { DatabaseClient } from './database.client';
import { rowsOf } from './rows';

const LOCK_KEY = 'app:migrations';

export interface MigrationStatus {
  applied: number;
  pending: number;
}

/**
 * Applies the committed migrations once, even when several instances start together: the whole run
 * holds a PostgreSQL advisory lock, and drizzle applies what is still pending in one transaction.
 */
export class Migrator {
  constructor(
    private readonly client: DatabaseClient,
    private readonly migrationsFolder: string,
  ) {}

  async migrate(): Promise<void> {
    await this.client.withAdvisoryLock(LOCK_KEY, (db) => this.client.migrate(db, this.migrationsFolder));
  }

  /** Compares the committed migrations with what the database has recorded (drizzle's own rule). */
  async status(): Promise<MigrationStatus> {
    const files = readMigrationFiles({ migrationsFolder: this.migrationsFolder });
    const [table] = rowsOf<{ exists: boolean }>(
      await this.client.db.execute(sql`select to_regclass('drizzle.__drizzle_migrations') is not null as exists`),
    );
    if (!table?.exists) return { applied: 0, pending: files.length };
    const [recorded] = rowsOf<{ count: number | string; last: number | string | null }>(
      await this.client.db.execute(
        sql`select count(*)::int as count, max(created_at) as last from drizzle.__drizzle_migrations`,
      ),
    );
    const last = Number(recorded?.last ?? 0);
    const pending = files.filter((file) => file.folderMillis > last).length;
    return { applied: Number(recorded?.count ?? 0), pending };
  }
}
