import { describe, expect, it } from 'vitest';
import { changedByReviewWrite, reviewOfRoute, reviewsOfProductRoute } from './reviews.cache';

const PRODUCT = '0B8E6C5A-1D2F-4E3A-9B7C-6D5E4F3A2B1C';
const REVIEW = 'c5a1d2f4-e3a9-4b7c-8d5e-4f3a2b1c0b8e';

describe('review cache tags', () => {
  it('a review write drops that review and its product lists, in lower case, and nothing for an empty answer', () => {
    expect(
      changedByReviewWrite({ principal: undefined, params: {}, body: { id: REVIEW, productId: PRODUCT } }),
    ).toEqual([`review:${REVIEW}`, `reviews:product:${PRODUCT.toLowerCase()}`]);
    expect(changedByReviewWrite({ principal: undefined, params: {}, body: undefined })).toEqual([]);
  });

  it('reads name the product or the review of the route', () => {
    expect(reviewsOfProductRoute({ principal: undefined, params: { id: PRODUCT } })).toBe(
      `reviews:product:${PRODUCT.toLowerCase()}`,
    );
    expect(reviewOfRoute({ principal: undefined, params: { id: REVIEW } })).toBe(`review:${REVIEW}`);
    expect(reviewOfRoute({ principal: undefined, params: {} })).toBeUndefined();
  });
});
