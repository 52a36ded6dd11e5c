import { sql } from 'drizzle-orm';
import { check, index, integer, pgTable, text, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { versionedTimestamps } from '@app/database';

/**
 * Product reviews: one per (product, user). The product and the user are ids only, never foreign keys into other
 * features' tables; the catalog learns of ratings through events.
 */
export const reviews = pgTable(
  'reviews',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    productId: uuid('product_id').notNull(),
    userId: uuid('user_id').notNull(),
    rating: integer('rating').notNull(),
    comment: text('comment'),
    ...versionedTimestamps(),
  },
  (table) => [
    uniqueIndex('reviews_product_user_unique').on(table.productId, table.userId),
    index('reviews_product_created_id_idx').on(
      table.productId,
      table.createdAt.desc().nullsFirst(),
      table.id.desc().nullsFirst(),
    ),
    check('reviews_rating_range', sql`${table.rating} between 1 and 5`),
    // A guard only: the API's limit (2,000 characters as class-validator counts them) is what clients meet.
    check('reviews_comment_length', sql`char_length(${table.comment}) <= 8000`),
  ],
);

export type ReviewRow = typeof reviews.$inferSelect;
