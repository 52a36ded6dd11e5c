import { Injectable } from '@nestjs/common';
import { and, desc, eq, gte, inArray, or, sql, type SQL } from 'drizzle-orm';
import { TransactionHost, keysetAfter, PreparedStatement } from '@app/database';
import { type ProductRow, products } from './catalog.schema';

export interface ProductListFilter {
  active?: boolean;
  q?: string;
  after?: { createdAt: Date; id: string };
  limit: number;
}

export type ProductChanges = Partial<Pick<ProductRow, 'name' | 'description' | 'priceCents' | 'stock' | 'active'>>;

const escapeLike = (text: string): string => text.replace(/[\\%_]/g, (char) => `\\${char}`);

/** One product by id: every cache miss of a product page. */
const PRODUCT_BY_ID = new PreparedStatement<ProductRow[], { id: string }>('catalog_product_by_id', (db) =>
  db
    .select()
    .from(products)
    .where(eq(products.id, sql.placeholder('id')))
    .limit(1),
);

/** An order line's stock: every order, once per line. */
const TAKE_STOCK = new PreparedStatement<ProductRow[], { id: string; quantity: number }>('catalog_take_stock', (db) =>
  db
    .update(products)
    .set({
      stock: sql`${products.stock} - ${sql.placeholder('quantity')}`,
      version: sql`${products.version} + 1`,
      updatedAt: sql`now()`,
    })
    .where(
      and(
        eq(products.id, sql.placeholder('id')),
        eq(products.active, true),
        gte(products.stock, sql.placeholder('quantity')),
      ),
    )
    .returning(),
);

/** All SQL of the catalog. */
@Injectable()
export class CatalogRepository {
  constructor(private readonly txHost: TransactionHost) {}

  async insert(
    row: Pick<ProductRow, 'sku' | 'name' | 'description' | 'priceCents' | 'currency' | 'stock' | 'active'>,
  ): Promise<ProductRow> {
    const [created] = await this.txHost.tx.insert(products).values(row).returning();
    return created as ProductRow;
  }

  async findById(id: string): Promise<ProductRow | undefined> {
    const [row] = await PRODUCT_BY_ID.execute(this.txHost.tx, { id });
    return row;
  }

  /** Keyset page on (created_at desc, id desc), `limit + 1` rows. */
  async list(filter: ProductListFilter): Promise<ProductRow[]> {
    const conditions: SQL[] = [];
    if (filter.active !== undefined) conditions.push(eq(products.active, filter.active));
    if (filter.q) {
      const pattern = `%${escapeLike(filter.q.toLowerCase())}%`;
      conditions.push(
        or(sql`lower(${products.name}) like ${pattern}`, sql`lower(${products.sku}) like ${pattern}`) as SQL,
      );
    }
    if (filter.after) {
      conditions.push(keysetAfter(products.createdAt, products.id, filter.after));
    }
    return this.txHost.tx
      .select()
      .from(products)
      .where(and(...conditions))
      .orderBy(desc(products.createdAt), desc(products.id))
      .limit(filter.limit + 1);
  }

  /** Optimistic update: only when the stored version is `expectedVersion` (if given). */
  async update(id: string, changes: ProductChanges, expectedVersion?: number): Promise<ProductRow | undefined> {
    const [row] = await this.txHost.tx
      .update(products)
      .set({ ...changes, version: sql`${products.version} + 1`, updatedAt: sql`now()` })
      .where(
        and(eq(products.id, id), expectedVersion === undefined ? undefined : eq(products.version, expectedVersion)),
      )
      .returning();
    return row;
  }

  /** The products with these ids (those that exist). */
  async findByIds(ids: readonly string[]): Promise<ProductRow[]> {
    if (ids.length === 0) return [];
    return this.txHost.tx
      .select()
      .from(products)
      .where(inArray(products.id, [...ids]));
  }

  /** Takes `quantity` from an active product's stock if that much is there; `undefined` otherwise. */
  async takeStock(id: string, quantity: number): Promise<ProductRow | undefined> {
    const [row] = await TAKE_STOCK.execute(this.txHost.tx, { id, quantity });
    return row;
  }

  /** Whether a product with this id exists (active or not). */
  async exists(id: string): Promise<boolean> {
    const rows = await this.txHost.tx.select({ id: products.id }).from(products).where(eq(products.id, id)).limit(1);
    return rows.length === 1;
  }

  /**
   * Adds to a product's rating (a review posted: +rating, +1; edited: the difference, 0; deleted: −rating, −1). A
   * new version, since the product's answer shows the rating. Nothing happens to a product that does not exist.
   */
  async adjustRating(id: string, sumDelta: number, countDelta: number): Promise<boolean> {
    const rows = await this.txHost.tx
      .update(products)
      .set({
        ratingSum: sql`${products.ratingSum} + ${sumDelta}`,
        ratingCount: sql`${products.ratingCount} + ${countDelta}`,
        version: sql`${products.version} + 1`,
        updatedAt: sql`now()`,
      })
      .where(eq(products.id, id))
      .returning({ id: products.id });
    return rows.length === 1;
  }

  async returnStock(id: string, quantity: number): Promise<void> {
    await this.txHost.tx
      .update(products)
      .set({
        stock: sql`${products.stock} + ${quantity}`,
        version: sql`${products.version} + 1`,
        updatedAt: sql`now()`,
      })
      .where(eq(products.id, id));
  }
}
