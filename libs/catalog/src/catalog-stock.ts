import { Injectable } from '@nestjs/common';
import { ProblemException } from '@app/core';
import type { ProductRow } from './catalog.schema';
import { CatalogRepository } from './catalog.repository';

export interface StockRequest {
  productId: string;
  quantity: number;
}

/** A product line priced and named as the catalog had it when the stock was taken. */
export interface ReservedLine {
  productId: string;
  sku: string;
  name: string;
  unitPriceCents: number;
  currency: string;
  quantity: number;
}

const UNPROCESSABLE = 'https://errors.example.dev/unprocessable';

/**
 * The catalog's public port for stock: what other features (orders) may ask of the catalog. Both methods run
 * in the caller's ambient transaction (TransactionHost). The product commands and queries stay in `CatalogService`, private to the lib.
 */
@Injectable()
export class CatalogStock {
  constructor(private readonly products: CatalogRepository) {}

  /**
   * Takes stock for every line, all or nothing, in the caller's transaction (which they must open): one conditional UPDATE per line
   * (active, enough stock), in product id order so that concurrent multi-line reservations cannot deadlock.
   * Only when one matches nothing does a read say why: unknown or inactive product (for any line) → 422,
   * else not enough stock → 409 naming the product. Mixed currencies → 422. The caller's transaction rolls
   * back whatever was taken before the failure.
   */
  async reserve(requests: readonly StockRequest[]): Promise<ReservedLine[]> {
    const lines: ReservedLine[] = [];
    for (const request of [...requests].sort((a, b) => a.productId.localeCompare(b.productId))) {
      const product = await this.products.takeStock(request.productId, request.quantity);
      if (!product) throw await this.whyNotReserved(requests, request.productId);
      lines.push({
        productId: product.id,
        sku: product.sku,
        name: product.name,
        unitPriceCents: product.priceCents,
        currency: product.currency,
        quantity: request.quantity,
      });
    }
    if (new Set(lines.map((line) => line.currency)).size > 1) {
      throw new ProblemException({
        status: 422,
        type: UNPROCESSABLE,
        detail: 'All products of an order must have the same currency',
      });
    }
    const order = new Map(requests.map((r, i) => [r.productId, i]));
    return lines.sort((a, b) => (order.get(a.productId) ?? 0) - (order.get(b.productId) ?? 0));
  }

  /** Puts reserved stock back (cancellation), in the caller's transaction, in id order. */
  async release(lines: readonly StockRequest[]): Promise<void> {
    for (const line of [...lines].sort((a, b) => a.productId.localeCompare(b.productId))) {
      await this.products.returnStock(line.productId, line.quantity);
    }
  }

  /** A line could not be reserved: a product that is not for sale (422) comes first, then the stock (409). */
  private async whyNotReserved(requests: readonly StockRequest[], failedId: string): Promise<ProblemException> {
    const ids = [...new Set(requests.map((r) => r.productId))].sort();
    const found = new Map((await this.products.findByIds(ids)).map((row) => [row.id, row]));
    const unavailable = ids.find((id) => !found.get(id)?.active);
    if (unavailable !== undefined) {
      return new ProblemException({
        status: 422,
        type: UNPROCESSABLE,
        detail: `Product ${unavailable} does not exist or is not for sale`,
        extensions: { productId: unavailable },
      });
    }
    const product = found.get(failedId) as ProductRow;
    return new ProblemException({
      status: 409,
      type: 'https://errors.example.dev/insufficient-stock',
      detail: `Not enough stock for ${product.sku} (${product.name})`,
      extensions: { productId: product.id, sku: product.sku },
    });
  }
}
