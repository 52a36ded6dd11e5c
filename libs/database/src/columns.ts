import { sql } from 'drizzle-orm';
import { integer, timestamp } from 'drizzle-orm/pg-core';

/**
 * The columns of every versioned resource: `version` (incremented by each change; the ETag) and
 * millisecond-precision timestamps (keyset cursors carry JavaScript dates, which have milliseconds).
 * A function, so each table gets its own column builders.
 */
export const versionedTimestamps = () => ({
  version: integer('version').notNull().default(1),
  createdAt: timestamp('created_at', { withTimezone: true, precision: 3 })
    .notNull()
    .default(sql`now()`),
  updatedAt: timestamp('updated_at', { withTimezone: true, precision: 3 })
    .notNull()
    .default(sql`now()`),
});
