import { type SQL, sql } from 'drizzle-orm';
import { type AnyPgColumn, integer, timestamp } from 'drizzle-orm/pg-core';

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

/**
 * The keyset condition for lists ordered by (created_at desc, id desc): rows strictly after the cursor
 * position. A row comparison, so the matching `(created_at desc, id desc)` index both seeks and orders.
 */
export const keysetAfter = (createdAt: AnyPgColumn, id: AnyPgColumn, position: { createdAt: Date; id: string }): SQL =>
  sql`(${createdAt}, ${id}) < (${position.createdAt.toISOString()}::timestamptz, ${position.id}::uuid)`;
