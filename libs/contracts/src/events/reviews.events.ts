import { IsInt, IsUUID, Max, Min } from 'class-validator';
import { defineEvent } from '@app/events';

export class ReviewPayload {
  @IsUUID()
  reviewId!: string;

  @IsUUID()
  productId!: string;

  @IsUUID()
  userId!: string;

  @IsInt()
  @Min(1)
  @Max(5)
  rating!: number;
}

export class ReviewEditedPayload extends ReviewPayload {
  @IsInt()
  @Min(1)
  @Max(5)
  previousRating!: number;
}

/** A customer who bought the product reviewed it. */
export const ReviewPosted = defineEvent({
  name: 'review.posted',
  version: 1,
  aggregateType: 'review',
  payload: ReviewPayload,
  aggregateIdOf: (payload) => payload.reviewId,
  description: 'A product review was posted.',
});

/** Its author changed a review (the rating may be the same). */
export const ReviewEdited = defineEvent({
  name: 'review.edited',
  version: 1,
  aggregateType: 'review',
  payload: ReviewEditedPayload,
  aggregateIdOf: (payload) => payload.reviewId,
  description: 'A product review was edited by its author.',
});

/** Its author or an admin deleted a review. */
export const ReviewDeleted = defineEvent({
  name: 'review.deleted',
  version: 1,
  aggregateType: 'review',
  payload: ReviewPayload,
  aggregateIdOf: (payload) => payload.reviewId,
  description: 'A product review was deleted by its author or an admin.',
});
