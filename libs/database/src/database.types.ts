import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';

/**
 * What repositories run their SQL on: the root database handle or a transaction. Both drivers
 * (PGlite and node-postgres) produce it, so repositories never know which one is underneath.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- drizzle's schema generic; we use no relational schema
export type DbExecutor = PgDatabase<PgQueryResultHKT, any>;

export type DatabaseDriverKind = 'pglite' | 'pglite-memory' | 'postgres';

export interface PoolStats {
  total: number;
  idle: number;
  waiting: number;
}
