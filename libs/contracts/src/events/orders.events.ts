import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsIn,
  IsInt,
  IsString,
  IsUUID,
  Length,
  Min,
  ValidateNested,
} from 'class-validator';
import { defineEvent } from '@app/events';

const STATUSES = ['pending', 'paid', 'shipped', 'delivered', 'cancelled'] as const;
type Status = (typeof STATUSES)[number];

export class OrderLinePayload {
  @IsUUID()
  productId!: string;

  @IsInt()
  @Min(1)
  quantity!: number;

  @IsInt()
  @Min(0)
  unitPriceCents!: number;
}

export class OrderPlacedPayload {
  @IsUUID()
  orderId!: string;

  @IsUUID()
  userId!: string;

  @IsIn(STATUSES)
  status!: Status;

  @IsInt()
  @Min(0)
  totalCents!: number;

  @IsString()
  @Length(3, 3)
  currency!: string;

  @ValidateNested({ each: true })
  @Type(() => OrderLinePayload)
  @ArrayMinSize(1)
  @ArrayMaxSize(100)
  items!: OrderLinePayload[];
}

/** A customer placed an order: its stock is reserved and it waits for payment. */
export const OrderPlaced = defineEvent({
  name: 'order.placed',
  version: 1,
  aggregateType: 'order',
  payload: OrderPlacedPayload,
  aggregateIdOf: (payload) => payload.orderId,
  description: 'An order was placed (status pending); its stock is reserved.',
});

/** What every change of an order's status says. */
class OrderChangePayload {
  @IsUUID()
  orderId!: string;

  @IsUUID()
  userId!: string;

  @IsIn(STATUSES)
  from!: Status;

  /** The order's version after the change (its ETag). */
  @IsInt()
  @Min(1)
  version!: number;
}

export class OrderStatusChangedPayload extends OrderChangePayload {
  @IsIn(STATUSES)
  status!: Status;
}

/** An admin moved an order one step along paid → shipped → delivered. */
export const OrderStatusChanged = defineEvent({
  name: 'order.status-changed',
  version: 1,
  aggregateType: 'order',
  payload: OrderStatusChangedPayload,
  aggregateIdOf: (payload) => payload.orderId,
  description: 'An order moved to paid, shipped or delivered.',
});

export class OrderCancelledPayload extends OrderChangePayload {
  @IsIn(['cancelled'])
  status!: 'cancelled';
}

/** The owner or an admin cancelled an order (from pending or paid); its stock went back. */
export const OrderCancelled = defineEvent({
  name: 'order.cancelled',
  version: 1,
  aggregateType: 'order',
  payload: OrderCancelledPayload,
  aggregateIdOf: (payload) => payload.orderId,
  description: 'An order was cancelled by its owner or an admin; its reserved stock was returned.',
});
