import { PaginationQueryDto } from '@app/core';

/** `cursor` and `limit`; newest first. */
export class ListReviewsQuery extends PaginationQueryDto {}
