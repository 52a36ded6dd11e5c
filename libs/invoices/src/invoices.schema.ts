import { sql } from 'drizzle-orm';
import { check, customType, integer, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';

/** `bytea` as a Node Buffer (drizzle has no built-in bytea column). */
const bytea = customType<{ data: Buffer; driverData: Buffer | Uint8Array }>({
  dataType: () => 'bytea',
  // node-postgres answers a Buffer, PGlite a Uint8Array: one type for the code above.
  fromDriver: (value) => (Buffer.isBuffer(value) ? value : Buffer.from(value)),
});

/**
 * One invoice per paid order, made once and never changed: the PDF itself, its size and SHA-256 (the ETag). The
 * order and its customer are ids only, never foreign keys into the orders' or users' tables.
 */
export const invoices = pgTable(
  'invoices',
  {
    orderId: uuid('order_id').primaryKey(),
    userId: uuid('user_id').notNull(),
    /** Stable, derived from the order id (see `invoiceNumberOf`). */
    number: text('number').notNull(),
    pdf: bytea('pdf').notNull(),
    sizeBytes: integer('size_bytes').notNull(),
    /** Hex SHA-256 of `pdf`. */
    sha256: text('sha256').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true, precision: 3 })
      .notNull()
      .default(sql`now()`),
  },
  (table) => [check('invoices_size_positive', sql`${table.sizeBytes} > 0`)],
);

export type InvoiceRow = typeof invoices.$inferSelect;
export type NewInvoice = typeof invoices.$inferInsert;
