import { Body, Controller, Delete, Get, HttpCode, Patch, Post, Query, Res } from '@nestjs/common';
import { ApiBody, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { CurrentUser, type Principal } from '@app/auth';
import { CacheFor, InvalidatesCache } from '@app/cache';
import {
  ApiCreated,
  ApiIfMatch,
  ApiNoContent,
  ApiOk,
  ApiPage,
  ApiProblems,
  ApiUuidParam,
  IfMatch,
  JsonBody,
  type Page,
  UuidParam,
  WithETag,
} from '@app/core';
import { CreateReviewDto } from './dto/create-review.dto';
import { ListReviewsQuery } from './dto/list-reviews.query';
import { ReviewResponse } from './dto/review.response';
import { UpdateReviewDto } from './dto/update-review.dto';
import { changedByReviewWrite, reviewOfRoute, reviewsOfProductRoute } from './reviews.cache';
import { PURCHASE_REQUIRED, PURCHASE_REQUIRED_DETAIL, ReviewsService } from './reviews.service';

/** A comment of 2,000 characters, each escaped as a surrogate pair (12 bytes), fits. */
const REVIEW_BODY_MAX_BYTES = 32 * 1024;

@ApiTags('reviews')
@Controller({ version: '1' })
export class ReviewsController {
  constructor(private readonly reviews: ReviewsService) {}

  @Post('products/:id/reviews')
  @JsonBody({ maxBytes: REVIEW_BODY_MAX_BYTES })
  @InvalidatesCache(changedByReviewWrite)
  @WithETag()
  @ApiOperation({
    operationId: 'postReview',
    summary: 'Review a product you bought',
    description:
      "One review per product and customer, by a customer with a paid, shipped or delivered order of it (403 otherwise). The product's `rating` follows within a second.",
  })
  @ApiUuidParam('id', 'The product id')
  @ApiBody({ type: CreateReviewDto })
  @ApiCreated(ReviewResponse, { description: 'The review', etag: true })
  @ApiProblems(
    400,
    401,
    {
      status: 403,
      description:
        'The caller has no paid, shipped or delivered order of this product (`purchase-required`): only customers who bought it may review it.',
      own: { type: PURCHASE_REQUIRED, title: 'Forbidden', detail: PURCHASE_REQUIRED_DETAIL },
    },
    { status: 404, description: 'No such product.' },
    { status: 409, description: 'The caller has already reviewed this product.' },
    413,
    415,
    429,
    500,
    503,
  )
  async post(
    @CurrentUser() principal: Principal,
    @UuidParam('id') productId: string,
    @Body() dto: CreateReviewDto,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<ReviewResponse> {
    const review = await this.reviews.post(principal, productId, dto);
    void reply.status(201).header('location', `/v1/reviews/${review.id}`);
    return ReviewResponse.from(review);
  }

  @Get('products/:id/reviews')
  @CacheFor(30, { tags: [reviewsOfProductRoute], scope: 'shared' })
  @ApiOperation({
    operationId: 'listProductReviews',
    summary: "List a product's reviews",
    description:
      "Every authenticated caller. Cursor-paginated, newest first: pass the previous page's `nextCursor` as `cursor`. Shared cache of up to 30 s, dropped by any change to the product's reviews.",
  })
  @ApiUuidParam('id', 'The product id')
  @ApiPage(ReviewResponse, { description: 'A page of reviews, newest first (cached up to 30 s)', cached: true })
  @ApiProblems(400, 401, { status: 404, description: 'No such product.' }, 429, 500, 503)
  async list(@UuidParam('id') productId: string, @Query() query: ListReviewsQuery): Promise<Page<ReviewResponse>> {
    const page = await this.reviews.list(productId, query);
    return { data: page.data.map((row) => ReviewResponse.from(row)), nextCursor: page.nextCursor };
  }

  @Get('reviews/:id')
  @CacheFor(30, { tags: [reviewOfRoute], scope: 'shared' })
  @WithETag()
  @ApiOperation({
    operationId: 'getReview',
    summary: 'Read a review',
    description:
      'Every authenticated caller. Answers with an `ETag`: send it as `If-None-Match` for a 304, or as `If-Match` to `updateReview`. Shared cache of up to 30 s.',
  })
  @ApiUuidParam('id', 'The review id')
  @ApiOk(ReviewResponse, { description: 'The review (cached up to 30 s)', etag: true, cached: true, notModified: true })
  @ApiProblems(400, 401, { status: 404, description: 'No such review.' }, 429, 500, 503)
  async get(@UuidParam('id') id: string): Promise<ReviewResponse> {
    return ReviewResponse.from(await this.reviews.get(id));
  }

  @Patch('reviews/:id')
  @JsonBody({ maxBytes: REVIEW_BODY_MAX_BYTES })
  @InvalidatesCache(changedByReviewWrite)
  @WithETag()
  @ApiOperation({
    operationId: 'updateReview',
    summary: 'Change your review (`If-Match` required)',
    description:
      "The author only (anyone else's review answers 404). Needs `If-Match` with the review's current ETag (428 without it, 412 when it changed since); only the fields sent are changed.",
  })
  @ApiUuidParam('id', 'The review id')
  @ApiIfMatch({ required: true })
  @ApiBody({ type: UpdateReviewDto })
  @ApiOk(ReviewResponse, { description: 'The review as changed', etag: true })
  @ApiProblems(
    400,
    401,
    { status: 404, description: "No such review, or another user's." },
    412,
    413,
    415,
    428,
    429,
    500,
    503,
  )
  async update(
    @CurrentUser() principal: Principal,
    @UuidParam('id') id: string,
    @Body() dto: UpdateReviewDto,
    @IfMatch({ required: true }) expectedVersion: number | undefined,
  ): Promise<ReviewResponse> {
    return ReviewResponse.from(await this.reviews.edit(principal, id, dto, expectedVersion as number));
  }

  @Delete('reviews/:id')
  @HttpCode(204)
  @InvalidatesCache(changedByReviewWrite)
  @ApiOperation({
    operationId: 'deleteReview',
    summary: 'Delete a review (its author, or an admin)',
    description: "The author or an admin. Anyone else's review answers 404, as a missing one does.",
  })
  @ApiUuidParam('id', 'The review id')
  @ApiNoContent('The review is gone')
  @ApiProblems(400, 401, { status: 404, description: "No such review, or another user's." }, 429, 500, 503)
  async remove(@CurrentUser() principal: Principal, @UuidParam('id') id: string): Promise<ReviewResponse> {
    // Returned for the cache tags only (`changedByReviewWrite`): a 204 carries no body.
    return ReviewResponse.from(await this.reviews.remove(principal, id));
  }
}
