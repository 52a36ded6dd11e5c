import { Module } from '@nestjs/common';
import { CatalogProducts } from './catalog-products';
import { CatalogSeed } from './catalog-seed';
import { CatalogStock } from './catalog-stock';
import { CatalogController } from './catalog.controller';
import { CatalogRepository } from './catalog.repository';
import { CatalogService } from './catalog.service';
import { ProductRatingsSubscriber } from './product-ratings.subscriber';

/**
 * The product catalog: what orders are made of. Other features use `CatalogStock` (orders) and `CatalogProducts`
 * (reviews); the rating comes in through the reviews' events.
 */
@Module({
  controllers: [CatalogController],
  providers: [CatalogRepository, CatalogService, CatalogStock, CatalogProducts, CatalogSeed, ProductRatingsSubscriber],
  exports: [CatalogStock, CatalogProducts],
})
export class CatalogModule {}
