import { IsIn, IsUUID } from 'class-validator';
import { PaginationQueryDto, Omittable } from '@app/core';
import { ORDER_STATUSES, type OrderStatus } from '../order-status';

export class ListOrdersQuery extends PaginationQueryDto {
  @Omittable()
  @IsIn(ORDER_STATUSES)
  status?: OrderStatus;

  /** Admins only; ignored for others (they only ever see their own orders). */
  @Omittable()
  @IsUUID()
  userId?: string;
}
