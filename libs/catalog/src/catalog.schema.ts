import { sql } from 'drizzle-orm';
import { versionedTimestamps } from '@app/database';
import { boolean, check, index, integer, pgTable, text, uniqueIndex, uuid } from 'drizzle-orm/pg-core';

export const products = pgTable(
  'products',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    sku: text('sku').notNull(),
    name: text('name').notNull(),
    description: text('description').notNull().default(''),
    /** Integer minor units of `currency`. */
    priceCents: integer('price_cents').notNull(),
    /** ISO 4217 code. */
    currency: text('currency').notNull(),
    stock: integer('stock').notNull(),
    active: boolean('active').notNull().default(true),
    /** Kept by the catalog from review events (sum of ratings, number of reviews): never joined with reviews. */
    ratingCount: integer('rating_count').notNull().default(0),
    ratingSum: integer('rating_sum').notNull().default(0),
    ...versionedTimestamps(),
  },
  (table) => [
    uniqueIndex('products_sku_unique').on(table.sku),
    index('products_created_id_idx').on(table.createdAt.desc().nullsFirst(), table.id.desc().nullsFirst()),
    index('products_active_created_id_idx').on(
      table.active,
      table.createdAt.desc().nullsFirst(),
      table.id.desc().nullsFirst(),
    ),
    check('products_stock_non_negative', sql`${table.stock} >= 0`),
    check('products_price_non_negative', sql`${table.priceCents} >= 0`),
    check('products_currency_iso', sql`${table.currency} ~ '^[A-Z]{3}$'`),
    check(
      'products_rating_consistent',
      sql`${table.ratingCount} >= 0 and ${table.ratingSum} between ${table.ratingCount} and 5 * ${table.ratingCount}`,
    ),
  ],
);

export type ProductRow = typeof products.$inferSelect;
