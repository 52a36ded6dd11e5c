import { Injectable } from '@nestjs/common';
import { and, desc, eq, sql, type SQL } from 'drizzle-orm';
import { keysetAfter, TransactionHost } from '@app/database';
import { type ReviewRow, reviews } from './reviews.schema';

/** Who is asking: authors reach their own reviews; admins may delete any. */
export interface ReviewAccess {
  userId: string;
  isAdmin: boolean;
}

export type ReviewChanges = Partial<Pick<ReviewRow, 'rating' | 'comment'>>;

/** All SQL of reviews. Ownership is a WHERE condition, never a check after loading. */
@Injectable()
export class ReviewsRepository {
  constructor(private readonly txHost: TransactionHost) {}

  async insert(row: Pick<ReviewRow, 'productId' | 'userId' | 'rating' | 'comment'>): Promise<ReviewRow> {
    const [created] = await this.txHost.tx.insert(reviews).values(row).returning();
    return created as ReviewRow;
  }

  async find(id: string): Promise<ReviewRow | undefined> {
    const [row] = await this.txHost.tx.select().from(reviews).where(eq(reviews.id, id)).limit(1);
    return row;
  }

  /** The review if `access` may change it: its author only (admins edit nobody's words). */
  async findOwn(id: string, userId: string): Promise<ReviewRow | undefined> {
    const [row] = await this.txHost.tx
      .select()
      .from(reviews)
      .where(and(eq(reviews.id, id), eq(reviews.userId, userId)))
      .limit(1);
    return row;
  }

  /** A product's reviews, keyset page on (created_at desc, id desc), `limit + 1` rows. */
  async listForProduct(
    productId: string,
    page: { after?: { createdAt: Date; id: string }; limit: number },
  ): Promise<ReviewRow[]> {
    const conditions: SQL[] = [eq(reviews.productId, productId)];
    if (page.after) conditions.push(keysetAfter(reviews.createdAt, reviews.id, page.after));
    return this.txHost.tx
      .select()
      .from(reviews)
      .where(and(...conditions))
      .orderBy(desc(reviews.createdAt), desc(reviews.id))
      .limit(page.limit + 1);
  }

  /** The author's change, only while the review is at `expectedVersion`; the row before and after. */
  async updateOwn(
    id: string,
    userId: string,
    changes: ReviewChanges,
    expectedVersion: number,
  ): Promise<ReviewRow | undefined> {
    const [row] = await this.txHost.tx
      .update(reviews)
      .set({ ...changes, version: sql`${reviews.version} + 1`, updatedAt: sql`now()` })
      .where(and(eq(reviews.id, id), eq(reviews.userId, userId), eq(reviews.version, expectedVersion)))
      .returning();
    return row;
  }

  /** Deletes the review if the caller is its author or an admin; the deleted row. */
  async delete(id: string, access: ReviewAccess): Promise<ReviewRow | undefined> {
    const [row] = await this.txHost.tx
      .delete(reviews)
      .where(and(eq(reviews.id, id), access.isAdmin ? undefined : eq(reviews.userId, access.userId)))
      .returning();
    return row;
  }
}
