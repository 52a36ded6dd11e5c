import { Module } from '@nestjs/common';
import { CatalogModule } from '@app/catalog';
import { OrdersModule } from '@app/orders';
import { ReviewsController } from './reviews.controller';
import { ReviewsRepository } from './reviews.repository';
import { ReviewsService } from './reviews.service';

/**
 * Product reviews, built on two neighbours' public APIs: `CatalogProducts` (does the product exist?) and
 * `OrderHistory` (has the caller bought it?). The catalog learns of ratings from the reviews' events, so it never
 * imports this feature: no cycle. Exports nothing yet.
 */
@Module({
  imports: [CatalogModule, OrdersModule],
  controllers: [ReviewsController],
  providers: [ReviewsRepository, ReviewsService],
})
export class ReviewsModule {}
