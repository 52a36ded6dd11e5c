import { ApiProperty } from '@nestjs/swagger';
import { IsIn, IsUUID, MaxLength } from 'class-validator';
import { PaginationQueryDto, Omittable } from '@app/core';
import { ORDER_STATUSES, type OrderStatus } from '../order-status';

export class ListOrdersQuery extends PaginationQueryDto {
  @ApiProperty({ type: 'string', required: false, enum: ORDER_STATUSES, description: 'Only orders in this status' })
  @Omittable()
  @IsIn(ORDER_STATUSES)
  status?: OrderStatus;

  /** Admins only; ignored for others (they only ever see their own orders). */
  @ApiProperty({
    type: 'string',
    required: false,
    format: 'uuid',
    maxLength: 36,
    description: "Admins: only this user's orders (ignored for other callers, who only ever see their own)",
  })
  @Omittable()
  @IsUUID()
  @MaxLength(36) // a UUID's length: stated for the document's maxLength, never refuses more than IsUUID
  userId?: string;
}
