import { Injectable } from '@nestjs/common';
import { TransactionHost } from '@app/database';
import type { OrderStatus } from './order-status';
import { type OrderAccess, OrdersRepository } from './orders.repository';

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
}

/** Where an order stands, for its invoice. */
export interface OrderStanding {
  userId: string;
  status: OrderStatus;
  /** Paid at some point: true for paid, shipped and delivered orders, and for those cancelled after payment. */
  paid: boolean;
}

/** Every order, whoever owns it: the invoice makers act for no caller. */
const ANY_ORDER: OrderAccess = { userId: '', isAdmin: true };

/**
 * What the invoices feature may ask of an order (a query class: no commands), through the orders' own repository,
 * which holds all their SQL. It needs nothing but the database (`TransactionHost`), so a process that runs none of
 * the orders feature (the worker) can provide it on its own, like users' `UserDirectory`. Inside a transaction it
 * reads in that transaction.
 */
@Injectable()
export class OrderReader {
  private readonly orders: OrdersRepository;

  constructor(txHost: TransactionHost) {
    this.orders = new OrdersRepository(txHost);
  }

  /** The order with its lines, whoever owns it, or `undefined` when there is no such order. */
  async invoiceDataOf(orderId: string): Promise<InvoiceData | undefined> {
    const order = await this.orders.find(orderId, ANY_ORDER);
    if (!order) return undefined;
    return {
      orderId: order.id,
      userId: order.userId,
      status: order.status,
      lines: order.items.map(({ productId, sku, name, quantity, unitPriceCents, lineTotalCents }) => ({
        productId,
        sku,
        name,
        quantity,
        unitPriceCents,
        lineTotalCents,
      })),
      totalCents: order.totalCents,
      currency: order.currency,
      placedAt: order.createdAt,
    };
  }

  /**
   * The order's owner, status and whether it was ever paid (a cancelled order may have been), when the caller may
   * see it (its owner, or an admin: ownership in the WHERE), else `undefined`: a missing order and another user's
   * look the same.
   */
  async statusFor(orderId: string, caller: OrderAccess): Promise<OrderStanding | undefined> {
    const order = await this.orders.findRow(orderId, caller);
    return order && { userId: order.userId, status: order.status, paid: order.paidAt !== null };
  }
}
