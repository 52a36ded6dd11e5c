import { ApiProperty, ApiSchema } from '@nestjs/swagger';
import { CURRENCY_PATTERN } from '@app/catalog';
import { ORDER_STATUSES, type OrderStatus } from '../order-status';
import { MAX_PRICE_CENTS } from './order.response';

/** The `data:` of one order event on `GET /v1/orders/events` (the event's name is its `event:`, its id its `id:`). */
@ApiSchema({
  name: 'OrderEventMessage',
  description:
    'The JSON `data:` line of an `order.placed`, `order.status-changed` or `order.cancelled` message on ' +
    '`GET /v1/orders/events`.',
})
export class OrderEventMessage {
  @ApiProperty({ type: 'string', format: 'uuid', maxLength: 36 })
  orderId!: string;

  @ApiProperty({ type: 'string', format: 'uuid', maxLength: 36, description: "The order's owner" })
  userId!: string;

  @ApiProperty({ type: 'string', enum: ORDER_STATUSES, description: 'The status the order has after this event' })
  status!: OrderStatus;

  @ApiProperty({
    type: 'string',
    enum: ORDER_STATUSES,
    required: false,
    description: 'The status before (status changes and cancellations)',
  })
  from?: OrderStatus;

  @ApiProperty({
    type: 'integer',
    format: 'int32',
    minimum: 1,
    maximum: 2_147_483_647,
    required: false,
    description: "The order's version after the change, as its `ETag` says it (status changes and cancellations)",
  })
  version?: number;

  @ApiProperty({
    type: 'integer',
    format: 'int64',
    minimum: 0,
    maximum: MAX_PRICE_CENTS * 1000 * 50,
    required: false,
    description: 'The total in minor units of `currency` (placed orders)',
  })
  totalCents?: number;

  @ApiProperty({
    type: 'string',
    maxLength: 3,
    pattern: CURRENCY_PATTERN.source,
    required: false,
    description: 'ISO 4217 code (placed orders)',
  })
  currency?: string;

  @ApiProperty({ type: 'string', format: 'date-time', maxLength: 24, description: 'When the change was recorded' })
  occurredAt!: string;
}
