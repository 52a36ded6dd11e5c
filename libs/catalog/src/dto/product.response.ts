import type { ProductRow } from '../catalog.schema';

export class ProductResponse {
  id: string;
  sku: string;
  name: string;
  description: string;
  priceCents: number;
  currency: string;
  stock: number;
  active: boolean;
  createdAt: string;
  updatedAt: string;
  version: number;

  static from(row: ProductRow): ProductResponse {
    return Object.assign(new ProductResponse(), {
      id: row.id,
      sku: row.sku,
      name: row.name,
      description: row.description,
      priceCents: row.priceCents,
      currency: row.currency,
      stock: row.stock,
      active: row.active,
      createdAt: row.createdAt.toISOString(),
      updatedAt: row.updatedAt.toISOString(),
      version: row.version,
    });
  }
}
