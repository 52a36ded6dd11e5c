import { Injectable } from '@nestjs/common';
import { and, asc, eq } from 'drizzle-orm';
import { TransactionHost } from '@app/database';
import type { OrderStatus } from './order-status';
import { orderItems, orders } from './orders.schema';

/** One line of an order as it was bought (name and price are the catalog's at order time). */
export interface InvoiceLine {
  productId: string;
  sku: string;
  name: string;
  quantity: number;
  unitPriceCents: number;
  lineTotalCents: number;
}

/** What an invoice needs to know of an order. */
export interface InvoiceData {
  orderId: string;
  userId: string;
  status: OrderStatus;
  lines: InvoiceLine[];
  totalCents: number;
  currency: string;
  placedAt: Date;
  /** When the order last changed (its status): the payment's time when it is `paid`. */
  updatedAt: Date;
}

/**
 * What the invoices feature may ask of an order (a query class: no commands). It needs nothing but the database
 * (`TransactionHost`), so a process that runs none of the orders feature (the worker) can provide it on its own, like
 * users' `UserDirectory`. Inside a transaction it reads in that transaction.
 */
@Injectable()
export class OrderReader {
  constructor(private readonly txHost: TransactionHost) {}

  /** The order with its lines, whoever owns it, or `undefined` when there is no such order. */
  async invoiceDataOf(orderId: string): Promise<InvoiceData | undefined> {
    const [order] = await this.txHost.tx.select().from(orders).where(eq(orders.id, orderId)).limit(1);
    if (!order) return undefined;
    const lines = await this.txHost.tx
      .select({
        productId: orderItems.productId,
        sku: orderItems.sku,
        name: orderItems.name,
        quantity: orderItems.quantity,
        unitPriceCents: orderItems.unitPriceCents,
        lineTotalCents: orderItems.lineTotalCents,
      })
      .from(orderItems)
      .where(eq(orderItems.orderId, orderId))
      .orderBy(asc(orderItems.lineNo));
    return {
      orderId: order.id,
      userId: order.userId,
      status: order.status,
      lines,
      totalCents: order.totalCents,
      currency: order.currency,
      placedAt: order.createdAt,
      updatedAt: order.updatedAt,
    };
  }

  /**
   * The order's owner and status when the caller may see it (its owner, or an admin: ownership in the WHERE), else
   * `undefined`: a missing order and another user's look the same.
   */
  async statusFor(
    orderId: string,
    caller: { userId: string; isAdmin: boolean },
  ): Promise<{ userId: string; status: OrderStatus } | undefined> {
    const [row] = await this.txHost.tx
      .select({ userId: orders.userId, status: orders.status })
      .from(orders)
      .where(caller.isAdmin ? eq(orders.id, orderId) : and(eq(orders.id, orderId), eq(orders.userId, caller.userId)))
      .limit(1);
    return row;
  }
}
