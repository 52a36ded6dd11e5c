import { Injectable } from '@nestjs/common';
import type { Principal } from '@app/auth';
import { CatalogProducts } from '@app/catalog';
import { ReviewDeleted, ReviewEdited, ReviewPosted } from '@app/contracts';
import { CursorCodec, type Page, preconditionFailed, ProblemException, ProblemType, toPage } from '@app/core';
import { isUniqueViolation, TransactionHost } from '@app/database';
import { EventBus } from '@app/events';
import { OrderHistory } from '@app/orders';
import type { CreateReviewDto } from './dto/create-review.dto';
import type { ListReviewsQuery } from './dto/list-reviews.query';
import type { UpdateReviewDto } from './dto/update-review.dto';
import { ReviewsRepository } from './reviews.repository';
import type { ReviewRow } from './reviews.schema';

export const PURCHASE_REQUIRED = 'https://errors.example.dev/purchase-required';
export const PURCHASE_REQUIRED_DETAIL =
  'Only a customer with a paid, shipped or delivered order of this product may review it';

const noSuchProduct = () =>
  new ProblemException({ status: 404, type: ProblemType.notFound, detail: 'No such product' });
const noSuchReview = () => new ProblemException({ status: 404, type: ProblemType.notFound, detail: 'No such review' });

/**
 * Reviews: a customer who bought a product (an order of theirs holding it is paid, shipped or delivered) reviews it
 * once; authors edit and delete their own, admins delete any. Every change publishes an event in its transaction;
 * the catalog keeps the product's rating from them.
 */
@Injectable()
export class ReviewsService {
  constructor(
    private readonly txHost: TransactionHost,
    private readonly reviews: ReviewsRepository,
    private readonly products: CatalogProducts,
    private readonly history: OrderHistory,
    private readonly events: EventBus,
    private readonly cursors: CursorCodec,
  ) {}

  async post(principal: Principal, productId: string, dto: CreateReviewDto): Promise<ReviewRow> {
    if (!(await this.products.exists(productId))) throw noSuchProduct();
    if (!(await this.history.hasPurchased(principal.id, productId))) {
      throw new ProblemException({
        status: 403,
        type: PURCHASE_REQUIRED,
        detail: PURCHASE_REQUIRED_DETAIL,
      });
    }
    try {
      return await this.txHost.withTransaction(async () => {
        const review = await this.reviews.insert({
          productId,
          userId: principal.id,
          rating: dto.rating,
          comment: dto.comment ?? null,
        });
        await this.events.publish(ReviewPosted, this.factsOf(review));
        return review;
      });
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      throw new ProblemException({
        status: 409,
        type: ProblemType.conflict,
        detail: 'You have already reviewed this product: edit that review instead',
      });
    }
  }

  async list(productId: string, query: ListReviewsQuery): Promise<Page<ReviewRow>> {
    if (!(await this.products.exists(productId))) throw noSuchProduct();
    const scope = `reviews?product=${productId}`;
    const limit = query.limit ?? 20;
    const after = query.cursor ? this.cursors.decode(query.cursor, scope) : undefined;
    const rows = await this.reviews.listForProduct(productId, { after, limit });
    return toPage(rows, limit, (row) => ({ createdAt: row.createdAt, id: row.id }), this.cursors, scope);
  }

  async get(id: string): Promise<ReviewRow> {
    const review = await this.reviews.find(id);
    if (!review) throw noSuchReview();
    return review;
  }

  /** The author's change, if the review is still at `expectedVersion` (412 otherwise; 404 for anyone else's). */
  edit(principal: Principal, id: string, dto: UpdateReviewDto, expectedVersion: number): Promise<ReviewRow> {
    return this.txHost.withTransaction(async () => {
      const current = await this.reviews.findOwn(id, principal.id);
      if (!current) throw noSuchReview();
      if (current.version !== expectedVersion) throw preconditionFailed();
      if (dto.rating === undefined && dto.comment === undefined) return current;
      const changes = {
        ...(dto.rating !== undefined ? { rating: dto.rating } : {}),
        ...(dto.comment !== undefined ? { comment: dto.comment } : {}),
      };
      const updated = await this.reviews.updateOwn(id, principal.id, changes, expectedVersion);
      if (!updated) throw preconditionFailed();
      await this.events.publish(ReviewEdited, { ...this.factsOf(updated), previousRating: current.rating });
      return updated;
    });
  }

  /** The author or an admin; 404 for anyone else, as for a missing review. */
  remove(principal: Principal, id: string): Promise<ReviewRow> {
    return this.txHost.withTransaction(async () => {
      const deleted = await this.reviews.delete(id, { userId: principal.id, isAdmin: principal.role === 'admin' });
      if (!deleted) throw noSuchReview();
      await this.events.publish(ReviewDeleted, this.factsOf(deleted));
      return deleted;
    });
  }

  private factsOf(review: ReviewRow) {
    return { reviewId: review.id, productId: review.productId, userId: review.userId, rating: review.rating };
  }
}
