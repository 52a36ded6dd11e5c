import { Module } from '@nestjs/common';
import { CatalogSeed } from './catalog-seed';
import { CatalogStock } from './catalog-stock';
import { CatalogController } from './catalog.controller';
import { CatalogRepository } from './catalog.repository';
import { CatalogService } from './catalog.service';

/** The product catalog: what orders are made of. Other features use `CatalogStock` only. */
@Module({
  controllers: [CatalogController],
  providers: [CatalogRepository, CatalogService, CatalogStock, CatalogSeed],
  exports: [CatalogStock],
})
export class CatalogModule {}
