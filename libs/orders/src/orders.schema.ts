import { sql } from 'drizzle-orm';
import { versionedTimestamps } from '@app/database';
import { bigint, check, index, integer, pgTable, primaryKey, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { ORDER_STATUSES, type OrderStatus } from './order-status';

export const orders = pgTable(
  'orders',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    userId: uuid('user_id').notNull(),
    status: text('status').$type<OrderStatus>().notNull().default('pending'),
    /** bigint: 50 lines × 1000 × the largest price exceed 32 bits; exact as a JS number up to 2^53. */
    totalCents: bigint('total_cents', { mode: 'number' }).notNull(),
    currency: text('currency').notNull(),
    /** When it was paid; kept when it is cancelled after (its invoice is still owed). Null: never paid. */
    paidAt: timestamp('paid_at', { withTimezone: true, precision: 3 }),
    ...versionedTimestamps(),
  },
  (table) => [
    // Keyset lists: a user's own orders, and an admin's view of all (optionally by status).
    index('orders_user_created_id_idx').on(
      table.userId,
      table.createdAt.desc().nullsFirst(),
      table.id.desc().nullsFirst(),
    ),
    index('orders_created_id_idx').on(table.createdAt.desc().nullsFirst(), table.id.desc().nullsFirst()),
    index('orders_status_created_id_idx').on(
      table.status,
      table.createdAt.desc().nullsFirst(),
      table.id.desc().nullsFirst(),
    ),
    check('orders_status_check', sql.raw(`status in (${ORDER_STATUSES.map((s) => `'${s}'`).join(', ')})`)),
    check('orders_total_non_negative', sql`${table.totalCents} >= 0`),
  ],
);

/** Order lines are copies of the catalog at order time: later price or name changes do not alter them. */
export const orderItems = pgTable(
  'order_items',
  {
    orderId: uuid('order_id')
      .notNull()
      .references(() => orders.id, { onDelete: 'cascade' }),
    lineNo: integer('line_no').notNull(),
    productId: uuid('product_id').notNull(),
    sku: text('sku').notNull(),
    name: text('name').notNull(),
    unitPriceCents: integer('unit_price_cents').notNull(),
    quantity: integer('quantity').notNull(),
    lineTotalCents: bigint('line_total_cents', { mode: 'number' }).notNull(),
  },
  (table) => [
    primaryKey({ columns: [table.orderId, table.lineNo] }),
    check('order_items_quantity_positive', sql`${table.quantity} > 0`),
  ],
);

export type OrderRow = typeof orders.$inferSelect;
export type OrderItemRow = typeof orderItems.$inferSelect;
