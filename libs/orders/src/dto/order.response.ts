import type { OrderStatus } from '../order-status';
import type { OrderWithItems } from '../orders.repository';

export class OrderItemResponse {
  productId: string;
  sku: string;
  name: string;
  unitPriceCents: number;
  quantity: number;
  lineTotalCents: number;
}

export class OrderResponse {
  id: string;
  userId: string;
  status: OrderStatus;
  items: OrderItemResponse[];
  totalCents: number;
  currency: string;
  version: number;
  createdAt: string;
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
