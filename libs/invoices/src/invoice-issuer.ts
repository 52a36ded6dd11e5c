import { createHash } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import { type InvoiceData, OrderReader } from '@app/orders';
import { UserDirectory } from '@app/users';
import { invoiceNumberOf, SELLER } from './invoice-number';
import { InvoicesRepository } from './invoices.repository';
import type { NewInvoice } from './invoices.schema';
import { InvoiceRenderer } from './render/invoice-renderer';

/** A paid order: the event that said so, for the invoice's date. */
export interface PaidOrder {
  orderId: string;
  /** When the order was paid (the `order.status-changed` event's `occurredAt`): the invoice's date. */
  paidAt: Date;
}

/**
 * Makes the invoice of a paid order, once: reads the order (orders' `OrderReader`) and the customer (users'
 * `UserDirectory`), renders the PDF in the renderer's worker threads and stores it (`ON CONFLICT DO NOTHING` on the
 * order id: a second render of the same order stores nothing). Used by the worker's `invoices` job and, without
 * NATS_URL, by the API's own subscriber.
 */
@Injectable()
export class InvoiceIssuer {
  private readonly logger = new Logger('InvoiceIssuer');

  constructor(
    private readonly orders: OrderReader,
    private readonly directory: UserDirectory,
    private readonly renderer: InvoiceRenderer,
    private readonly invoices: InvoicesRepository,
  ) {}

  /** Renders and stores in one go: true when this call stored the invoice, false when the order had one. */
  async issue(paid: PaidOrder): Promise<boolean> {
    const invoice = await this.render(paid);
    return invoice ? this.store(invoice) : false;
  }

  /**
   * The invoice, rendered, unless the order has one already (`undefined`). Throws when the order or its customer does
   * not exist (so that the job is retried, then dead-lettered), or the render fails.
   */
  async render(paid: PaidOrder): Promise<NewInvoice | undefined> {
    if (await this.invoices.exists(paid.orderId)) return undefined;
    const order = await this.orders.invoiceDataOf(paid.orderId);
    if (!order) throw new Error(`No order ${paid.orderId} to invoice`);
    const customer = await this.directory.contactOf(order.userId);
    if (!customer) throw new Error(`No user ${order.userId} to invoice for order ${order.orderId}`);
    const number = invoiceNumberOf(order.orderId);
    const pdf = await this.renderer.render(documentOf(order, number, customer, paid.paidAt));
    return {
      orderId: order.orderId,
      userId: order.userId,
      number,
      pdf,
      sizeBytes: pdf.length,
      sha256: createHash('sha256').update(pdf).digest('hex'),
    };
  }

  /** Stores a rendered invoice unless the order has one: true when this call stored it. */
  async store(invoice: NewInvoice): Promise<boolean> {
    const stored = await this.invoices.insertOnce(invoice);
    if (stored) this.logger.log({ orderId: invoice.orderId, bytes: invoice.sizeBytes }, 'invoice stored');
    return stored;
  }
}

function documentOf(order: InvoiceData, number: string, customer: { name: string; email: string }, paidAt: Date) {
  return {
    number,
    issuedAt: paidAt.toISOString(),
    placedAt: order.placedAt.toISOString(),
    orderId: order.orderId,
    seller: SELLER,
    customer,
    lines: order.lines,
    totalCents: order.totalCents,
    currency: order.currency,
  };
}
