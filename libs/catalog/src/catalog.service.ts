import { Injectable } from '@nestjs/common';
import { ProductChanged } from '@app/contracts';
import { CursorCodec, type Page, preconditionFailed, ProblemException, ProblemType, toPage } from '@app/core';
import { isUniqueViolation, TransactionHost } from '@app/database';
import { EventBus } from '@app/events';
import type { ProductRow } from './catalog.schema';
import { CatalogRepository } from './catalog.repository';
import type { CreateProductDto } from './dto/create-product.dto';
import type { ListProductsQuery } from './dto/list-products.query';
import type { UpdateProductDto } from './dto/update-product.dto';

const notFound = () => new ProblemException({ status: 404, type: ProblemType.notFound, detail: 'No such product' });

/**
 * Products: the catalog's own commands and queries, private to the lib (its controller and the seed). Other
 * features take and return stock through `CatalogStock`.
 */
@Injectable()
export class CatalogService {
  constructor(
    private readonly txHost: TransactionHost,
    private readonly products: CatalogRepository,
    private readonly cursors: CursorCodec,
    private readonly events: EventBus,
  ) {}

  async create(dto: CreateProductDto): Promise<ProductRow> {
    try {
      return await this.txHost.withTransaction(async () => {
        const product = await this.products.insert({
          sku: dto.sku,
          name: dto.name,
          description: dto.description ?? '',
          priceCents: dto.priceCents,
          currency: dto.currency,
          stock: dto.stock,
          active: dto.active ?? true,
        });
        await this.publishChange(product, 'created');
        return product;
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
    const product = await this.products.findById(id);
    if (!product) throw notFound();
    return product;
  }

  async list(query: ListProductsQuery): Promise<Page<ProductRow>> {
    const scope = `products?active=${String(query.active ?? '')}&q=${query.q?.toLowerCase() ?? ''}`;
    const limit = query.limit ?? 20;
    const after = query.cursor ? this.cursors.decode(query.cursor, scope) : undefined;
    const rows = await this.products.list({ active: query.active, q: query.q, after, limit });
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
    const updated = await this.txHost.withTransaction(async () => {
      const product = await this.products.update(id, dto, expectedVersion);
      if (product) await this.publishChange(product, 'updated');
      return product;
    });
    if (updated) return updated;
    await this.get(id);
    throw preconditionFailed();
  }

  private async publishChange(product: ProductRow, change: 'created' | 'updated'): Promise<void> {
    await this.events.publish(ProductChanged, {
      productId: product.id,
      change,
      sku: product.sku,
      name: product.name,
      priceCents: product.priceCents,
      currency: product.currency,
      active: product.active,
      version: product.version,
    });
  }
}
