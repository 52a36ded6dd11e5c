export { DatabaseClient } from './database.client';
export { DatabaseModule, openDatabaseClient, type DatabaseModuleOptions } from './database.module';
export type { DatabaseDriverKind, DbExecutor, PoolStats } from './database.types';
export {
  databaseProblemMapper,
  isDatabaseUnavailable,
  isRetryableTransactionError,
  isUniqueViolation,
  sqlState,
} from './database-errors';
export { defaultMigrationsFolder } from './migrations-folder';
export { Migrator, type MigrationStatus } from './migrator';
export { TransactionHost, type TransactionOptions } from './transaction-host';
export { openTransactionScopes } from './transaction-scope';
export { rowsOf } from './rows';
export { keysetAfter, versionedTimestamps } from './columns';
export { PreparedStatement } from './prepared-statement';
