import type { CacheTagContext } from '@app/cache';

/** The tag of one product's cached review lists: a review posted, edited or deleted for it drops them. */
export const productReviewsCacheTag = (productId: string): string => `reviews:product:${productId.toLowerCase()}`;

/** The tag of one review's cached answers. */
export const reviewCacheTag = (reviewId: string): string => `review:${reviewId.toLowerCase()}`;

/** GET /v1/products/:id/reviews depends on that product's reviews only. */
export const reviewsOfProductRoute = ({ params }: CacheTagContext): string | undefined =>
  params.id === undefined ? undefined : productReviewsCacheTag(params.id);

/** GET /v1/reviews/:id depends on that review only. */
export const reviewOfRoute = ({ params }: CacheTagContext): string | undefined =>
  params.id === undefined ? undefined : reviewCacheTag(params.id);

/**
 * What a review write changed, read from the review it answers with (for a delete, the handler's result, which the
 * 204 does not send): the review, and its product's review lists.
 */
export const changedByReviewWrite = ({ body }: CacheTagContext): string[] => {
  const review = (body ?? {}) as { id?: unknown; productId?: unknown };
  return [
    ...(typeof review.id === 'string' ? [reviewCacheTag(review.id)] : []),
    ...(typeof review.productId === 'string' ? [productReviewsCacheTag(review.productId)] : []),
  ];
};
