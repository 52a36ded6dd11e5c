import { Injectable } from '@nestjs/common';
import { ProblemException } from '@app/core';
import { CatalogService } from './catalog.service';
import type { CreateProductDto } from './dto/create-product.dto';

/**
 * For the app's seed script (`npm run db:seed`) only, not for other features (the module does not export it):
 * adds demonstration products, each once.
 */
@Injectable()
export class CatalogSeed {
  constructor(private readonly catalog: CatalogService) {}

  /** Adds the product unless one with its SKU exists; says whether it added it. */
  async addProduct(product: CreateProductDto): Promise<boolean> {
    try {
      await this.catalog.create(product);
      return true;
    } catch (error) {
      if (error instanceof ProblemException && error.getStatus() === 409) return false;
      throw error;
    }
  }
}
