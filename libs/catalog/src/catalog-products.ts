import { Injectable } from '@nestjs/common';
import { CatalogRepository } from './catalog.repository';

/** What other features may ask the catalog about its products (a query service: no commands). */
@Injectable()
export class CatalogProducts {
  constructor(private readonly products: CatalogRepository) {}

  /** Whether the product exists, for sale or not. The id must be a UUID. */
  exists(productId: string): Promise<boolean> {
    return this.products.exists(productId);
  }
}
