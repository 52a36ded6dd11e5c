import { Injectable } from '@nestjs/common';
import { OrderStatusChanged, type OrderStatusChangedPayload } from '@app/contracts';
import { type DomainEvent, type EventDelivery, HandlesEvent } from '@app/events';
import { InvoiceIssuer } from './invoice-issuer';

/**
 * The API's own invoice maker, on the embedded default only (no NATS_URL: no worker gets the events; with NATS_URL the
 * worker's `invoices` job makes them and this is not registered, see `InvoicesModule`). On `order.status-changed` to
 * `paid` it renders the PDF in the renderer's worker threads, outside any transaction (on PGlite a transaction holds
 * the one connection), then stores it in the transaction that records the delivery in the inbox: once.
 */
@Injectable()
export class InvoicesSubscriber {
  constructor(private readonly issuer: InvoiceIssuer) {}

  @HandlesEvent(OrderStatusChanged, { subscriber: 'invoices.order-paid' })
  async onStatusChanged(event: DomainEvent<OrderStatusChangedPayload>, delivery: EventDelivery): Promise<void> {
    if (event.payload.status !== 'paid') return;
    const invoice = await this.issuer.render({ orderId: event.payload.orderId, paidAt: event.occurredAt });
    if (invoice) await delivery.once(() => this.issuer.store(invoice));
  }
}
