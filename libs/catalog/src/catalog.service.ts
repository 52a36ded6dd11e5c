import { Injectable } from '@nestjs/common';
import { CursorCodec, type Page, preconditionFailed, ProblemException, ProblemType, toPage } from '@app/core';
import { type DbExecutor, isUniqueViolation, TransactionRunner } from '@app/database';
import type { ProductRow } from './catalog.schema';
import { CatalogRepository } from './catalog.repository';
import type { CreateProductDto } from './dto/create-product.dto';
import type { ListProductsQuery } from './dto/list-products.query';
import type { UpdateProductDto } from './dto/update-product.dto';

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

const notFound = () => new ProblemException({ status: 404, type: ProblemType.notFound, detail: 'No such product' });

const UNPROCESSABLE = 'https://errors.example.dev/unprocessable';

/**
 * Products and their stock. Other features (orders) use only this service: `reserve` and `release`
 * run inside the caller's transaction.
 */
@Injectable()
export class CatalogService {
  constructor(
    private readonly tx: TransactionRunner,
    private readonly products: CatalogRepository,
    private readonly cursors: CursorCodec,
  ) {}

  async create(dto: CreateProductDto): Promise<ProductRow> {
    try {
      return await this.products.insert(this.tx.db, {
        sku: dto.sku,
        name: dto.name,
        description: dto.description ?? '',
        priceCents: dto.priceCents,
        currency: dto.currency,
        stock: dto.stock,
        active: dto.active ?? true,
      });
    } catch (error) {
      if (isUniqueViolation(error)) {
        throw new ProblemException({
          status: 409,
          type: ProblemType.conflict,
          detail: `A product with SKU ${dto.sku} already exists`,
        });
      }
      throw error;
    }
  }

  async get(id: string): Promise<ProductRow> {
    const product = await this.products.findById(this.tx.db, id);
    if (!product) throw notFound();
    return product;
  }

  async list(query: ListProductsQuery): Promise<Page<ProductRow>> {
    const scope = `products?active=${String(query.active ?? '')}&q=${query.q?.toLowerCase() ?? ''}`;
    const limit = query.limit ?? 20;
    const after = query.cursor ? this.cursors.decode(query.cursor, scope) : undefined;
    const rows = await this.products.list(this.tx.db, { active: query.active, q: query.q, after, limit });
    return toPage(rows, limit, (row) => ({ createdAt: row.createdAt, id: row.id }), this.cursors, scope);
  }

  /** Changes a product if it is still at `expectedVersion` (412 otherwise, 404 if it does not exist). */
  async update(id: string, dto: UpdateProductDto, expectedVersion: number | undefined): Promise<ProductRow> {
    if (Object.values(dto).every((value) => value === undefined)) {
      // Nothing to change: no new version, but the precondition still holds or fails.
      const current = await this.get(id);
      if (expectedVersion !== undefined && current.version !== expectedVersion) throw preconditionFailed();
      return current;
    }
    const updated = await this.products.update(this.tx.db, id, dto, expectedVersion);
    if (updated) return updated;
    await this.get(id);
    throw preconditionFailed();
  }

  /**
   * Takes stock for every line, all or nothing, in the caller's transaction: one conditional UPDATE per line
   * (active, enough stock), in product id order so that concurrent multi-line reservations cannot deadlock.
   * Only when one matches nothing does a read say why: unknown or inactive product (for any line) → 422,
   * else not enough stock → 409 naming the product. Mixed currencies → 422. The caller's transaction rolls
   * back whatever was taken before the failure.
   */
  async reserve(tx: DbExecutor, requests: readonly StockRequest[]): Promise<ReservedLine[]> {
    const lines: ReservedLine[] = [];
    for (const request of [...requests].sort((a, b) => a.productId.localeCompare(b.productId))) {
      const product = await this.products.takeStock(tx, request.productId, request.quantity);
      if (!product) throw await this.whyNotReserved(tx, requests, request.productId);
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

  /** A line could not be reserved: a product that is not for sale (422) comes first, then the stock (409). */
  private async whyNotReserved(
    tx: DbExecutor,
    requests: readonly StockRequest[],
    failedId: string,
  ): Promise<ProblemException> {
    const ids = [...new Set(requests.map((r) => r.productId))].sort();
    const found = new Map((await this.products.findByIds(tx, ids)).map((row) => [row.id, row]));
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

  /** Puts reserved stock back (cancellation), in the caller's transaction, in id order. */
  async release(tx: DbExecutor, lines: readonly StockRequest[]): Promise<void> {
    for (const line of [...lines].sort((a, b) => a.productId.localeCompare(b.productId))) {
      await this.products.returnStock(tx, line.productId, line.quantity);
    }
  }
}
