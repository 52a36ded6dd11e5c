import {
  type DynamicModule,
  Global,
  Logger,
  Module,
  type OnApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';
import { AppConfig, Metrics } from '@app/core';
import { DatabaseClient } from './database.client';
import { PgliteClient } from './drivers/pglite.client';
import { PostgresClient } from './drivers/postgres.client';
import { defaultMigrationsFolder } from './migrations-folder';
import { Migrator } from './migrator';
import { TransactionHost } from './transaction-host';

export interface DatabaseModuleOptions {
  /** Where the SQL migrations are (default: the committed `libs/database/migrations`). */
  migrationsFolder?: string;
}

export async function openDatabaseClient(config: AppConfig): Promise<DatabaseClient> {
  const { target, poolMax, connectTimeoutMs, statementTimeoutMs } = config.database;
  switch (target.kind) {
    case 'postgres':
      return PostgresClient.create({ url: target.url, poolMax, connectTimeoutMs, statementTimeoutMs });
    case 'pglite':
      return PgliteClient.open({ dataDir: target.dataDir });
    case 'pglite-memory':
      return PgliteClient.open('memory');
  }
}

/**
 * PostgreSQL for the whole app, through drizzle: PGlite when DATABASE_URL is unset (on disk) or
 * `memory://`, node-postgres otherwise. Migrations run at startup unless DB_MIGRATE_ON_START=false.
 * The connection closes in `onApplicationShutdown`, after the HTTP server has drained.
 */
@Global()
@Module({})
export class DatabaseModule implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('DatabaseModule');

  constructor(
    private readonly client: DatabaseClient,
    private readonly metrics: Metrics,
  ) {}

  onModuleInit(): void {
    this.metrics.gauge('db_pool_connections', 'Database connections by state', ['state'], (set) => {
      const { total, idle, waiting } = this.client.poolStats();
      set({ state: 'in_use' }, total - idle);
      set({ state: 'idle' }, idle);
      set({ state: 'waiting' }, waiting);
    });
  }

  static forRoot(options: DatabaseModuleOptions = {}): DynamicModule {
    return {
      module: DatabaseModule,
      providers: [
        { provide: DatabaseClient, inject: [AppConfig], useFactory: openDatabaseClient },
        {
          provide: Migrator,
          inject: [DatabaseClient, AppConfig],
          useFactory: async (client: DatabaseClient, config: AppConfig) => {
            const migrator = new Migrator(client, options.migrationsFolder ?? defaultMigrationsFolder());
            if (config.database.migrateOnStart) {
              try {
                await migrator.migrate();
              } catch (error) {
                await client.close();
                throw error;
              }
            }
            return migrator;
          },
        },
        TransactionHost,
      ],
      exports: [DatabaseClient, Migrator, TransactionHost],
    };
  }

  async onApplicationShutdown(): Promise<void> {
    await this.client.close();
    this.logger.log(`${this.client.kind} connection closed`);
  }
}
