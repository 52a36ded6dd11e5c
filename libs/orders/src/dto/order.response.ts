import { ApiProperty, ApiSchema } from '@nestjs/swagger';
import { CURRENCY_PATTERN, SKU_PATTERN } from '@app/catalog';
import { ORDER_STATUSES, type OrderStatus } from '../order-status';
import type { OrderWithItems } from '../orders.repository';

/**
 * Prices, SKUs and names are copied from the catalog, which checks them (CreateProductDto). A line is at most
 * 1000 units, an order at most 50 lines (CreateOrderDto).
 */
export const MAX_PRICE_CENTS = 100_000_000;

@ApiSchema({ name: 'OrderItem' })
export class OrderItemResponse {
  @ApiProperty({ type: 'string', format: 'uuid', maxLength: 36, example: '4b3c2d1e-0f9a-4b8c-9d7e-6f5a4b3c2d1e' })
  productId: string;

  @ApiProperty({
    type: 'string',
    maxLength: 64,
    pattern: SKU_PATTERN.source,
    description: "The product's SKU when ordered",
    example: 'MUG-001',
  })
  sku: string;

  @ApiProperty({
    type: 'string',
    maxLength: 200,
    description: "The product's name when ordered",
    example: 'Enamel mug',
  })
  name: string;

  @ApiProperty({
    type: 'integer',
    format: 'int32',
    minimum: 0,
    maximum: MAX_PRICE_CENTS,
    description: 'The catalog price when ordered',
    example: 1299,
  })
  unitPriceCents: number;

  @ApiProperty({ type: 'integer', format: 'int32', minimum: 1, maximum: 1000, example: 2 })
  quantity: number;

  @ApiProperty({ type: 'integer', format: 'int64', minimum: 0, maximum: MAX_PRICE_CENTS * 1000, example: 2598 })
  lineTotalCents: number;
}

@ApiSchema({ name: 'Order' })
export class OrderResponse {
  @ApiProperty({ type: 'string', format: 'uuid', maxLength: 36, example: '9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d' })
  id: string;

  @ApiProperty({ type: 'string', format: 'uuid', maxLength: 36, example: '7d3f1c9a-2b4e-4f6a-8c1d-9e0f2a3b4c5d' })
  userId: string;

  @ApiProperty({ type: 'string', enum: ORDER_STATUSES, example: 'pending' })
  status: OrderStatus;

  @ApiProperty({ type: () => [OrderItemResponse], minItems: 1, maxItems: 50, description: 'One line per product' })
  items: OrderItemResponse[];

  @ApiProperty({
    type: 'integer',
    format: 'int64',
    minimum: 0,
    maximum: MAX_PRICE_CENTS * 1000 * 50,
    description: 'Minor units of `currency`',
    example: 2598,
  })
  totalCents: number;

  @ApiProperty({
    type: 'string',
    maxLength: 3,
    pattern: CURRENCY_PATTERN.source,
    description: 'ISO 4217 code',
    example: 'EUR',
  })
  currency: string;

  @ApiProperty({
    type: 'integer',
    format: 'int32',
    minimum: 1,
    maximum: 2_147_483_647,
    description: 'Incremented by every change; the ETag is `"v<version>"`',
    example: 1,
  })
  version: number;

  @ApiProperty({ type: 'string', format: 'date-time', maxLength: 24, example: '2025-01-15T09:30:00.000Z' })
  createdAt: string;

  @ApiProperty({ type: 'string', format: 'date-time', maxLength: 24, example: '2025-01-15T09:30:00.000Z' })
  updatedAt: string;

  static from(order: OrderWithItems): OrderResponse {
    return Object.assign(new OrderResponse(), {
      id: order.id,
      userId: order.userId,
      status: order.status,
      items: order.items.map(({ productId, sku, name, unitPriceCents, quantity, lineTotalCents }) => ({
        productId,
        sku,
        name,
        unitPriceCents,
        quantity,
        lineTotalCents,
      })),
      totalCents: order.totalCents,
      currency: order.currency,
      version: order.version,
      createdAt: order.createdAt.toISOString(),
      updatedAt: order.updatedAt.toISOString(),
    });
  }
}
