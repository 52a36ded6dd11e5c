import { Logger } from '@nestjs/common';
import { sql } from 'drizzle-orm';
import { drizzle, type NodePgDatabase } from 'drizzle-orm/node-postgres';
import { migrate } from 'drizzle-orm/node-postgres/migrator';
import { Pool } from 'pg';
import { DatabaseClient } from '../database.client';
import type { DbExecutor, PoolStats } from '../database.types';
import { withTimeout } from './with-timeout';

export interface PostgresClientOptions {
  url: string;
  poolMax: number;
  connectTimeoutMs: number;
  statementTimeoutMs: number;
  applicationName?: string;
}

/**
 * PostgreSQL over node-postgres: a bounded pool that fails fast. Connecting is bounded by
 * `connectionTimeoutMillis`, every statement by the server's `statement_timeout` and, for a server that
 * stops answering altogether, by the client's `query_timeout`.
 */
export class PostgresClient extends DatabaseClient {
  readonly kind = 'postgres' as const;
  readonly db: NodePgDatabase;
  private readonly logger = new Logger('PostgresClient');
  private closed = false;

  constructor(
    private readonly pool: Pool,
    private readonly options: PostgresClientOptions,
  ) {
    super();
    // Without this listener an idle client's error (PostgreSQL restarted, network cut) crashes the process.
    pool.on('error', (error) => this.logger.warn(`idle PostgreSQL connection lost: ${error.message}`));
    this.db = drizzle({ client: pool });
  }

  static create(options: PostgresClientOptions): PostgresClient {
    const pool = new Pool({
      connectionString: options.url,
      max: options.poolMax,
      connectionTimeoutMillis: options.connectTimeoutMs,
      statement_timeout: options.statementTimeoutMs,
      query_timeout: options.statementTimeoutMs + 1_000,
      idleTimeoutMillis: 30_000,
      keepAlive: true,
      application_name: options.applicationName ?? 'nest-api',
    });
    return new PostgresClient(pool, options);
  }

  async withAdvisoryLock<T>(key: string, fn: (db: DbExecutor) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    let failed: unknown;
    try {
      // Migrations may run longer than a request's statement timeout.
      await client.query('set statement_timeout = 0');
      await client.query('select pg_advisory_lock(hashtext($1))', [key]);
      try {
        return await fn(drizzle({ client }));
      } finally {
        await client.query('select pg_advisory_unlock(hashtext($1))', [key]);
      }
    } catch (error) {
      failed = error;
      throw error;
    } finally {
      // A connection whose session state we changed or that failed is not returned to the pool.
      client.release(failed instanceof Error ? failed : true);
    }
  }

  async migrate(db: DbExecutor, migrationsFolder: string): Promise<void> {
    await migrate(db as NodePgDatabase, { migrationsFolder });
  }

  async ping(timeoutMs: number): Promise<void> {
    await withTimeout(
      this.db.execute(sql`select 1`),
      Math.min(timeoutMs, this.options.connectTimeoutMs + this.options.statementTimeoutMs),
      'PostgreSQL',
    );
  }

  poolStats(): PoolStats {
    return { total: this.pool.totalCount, idle: this.pool.idleCount, waiting: this.pool.waitingCount };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.pool.end();
  }
}
