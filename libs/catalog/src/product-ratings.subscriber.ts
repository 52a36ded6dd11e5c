import { Injectable } from '@nestjs/common';
import { ResponseCache } from '@app/cache';
import {
  type ReviewEditedPayload,
  ReviewDeleted,
  ReviewEdited,
  type ReviewPayload,
  ReviewPosted,
} from '@app/contracts';
import { type DomainEvent, type EventDelivery, HandlesEvent } from '@app/events';
import { PRODUCTS_CACHE_TAG, productCacheTag } from './catalog.cache';
import { CatalogRepository } from './catalog.repository';

/**
 * Keeps each product's rating (sum and count) from the reviews' events, so that the catalog serves it without
 * knowing the reviews feature (which depends on the catalog). Each event is applied once (the inbox); the changes
 * are additions, so their order across reviews does not matter. The product's cached answers are dropped after.
 */
@Injectable()
export class ProductRatingsSubscriber {
  constructor(
    private readonly products: CatalogRepository,
    private readonly cache: ResponseCache,
  ) {}

  @HandlesEvent(ReviewPosted, { subscriber: 'catalog.rating.review-posted' })
  onPosted(event: DomainEvent<ReviewPayload>, delivery: EventDelivery): Promise<void> {
    return this.adjust(event.payload.productId, event.payload.rating, 1, delivery);
  }

  @HandlesEvent(ReviewEdited, { subscriber: 'catalog.rating.review-edited' })
  onEdited(event: DomainEvent<ReviewEditedPayload>, delivery: EventDelivery): Promise<void> {
    const { productId, rating, previousRating } = event.payload;
    return this.adjust(productId, rating - previousRating, 0, delivery);
  }

  @HandlesEvent(ReviewDeleted, { subscriber: 'catalog.rating.review-deleted' })
  onDeleted(event: DomainEvent<ReviewPayload>, delivery: EventDelivery): Promise<void> {
    return this.adjust(event.payload.productId, -event.payload.rating, -1, delivery);
  }

  private async adjust(productId: string, sumDelta: number, countDelta: number, delivery: EventDelivery) {
    const applied = await delivery.once(() => this.products.adjustRating(productId, sumDelta, countDelta));
    if (applied) await this.cache.invalidate([productCacheTag(productId), PRODUCTS_CACHE_TAG]);
  }
}
