import { Injectable } from '@nestjs/common';
import { OrderStatusChanged, type OrderStatusChangedPayload } from '@app/contracts';
import { AppConfig } from '@app/core';
import type { DomainEvent } from '@app/events';
import { InvoiceIssuer } from '@app/invoices';
import { WorkerJob } from './worker-job';

/**
 * Makes the invoice PDF of each paid order: on `order.status-changed` to `paid` it renders the PDF in the invoice
 * renderer's worker threads (off this process's event loop) and stores it once; other status changes are acked
 * without effect. The runner applies each event once (the inbox), and the store itself is `ON CONFLICT DO NOTHING` on
 * the order: a redelivery after a crash makes no second invoice.
 */
@Injectable()
export class InvoicesJob extends WorkerJob {
  readonly name = 'invoices';
  readonly events = [OrderStatusChanged];
  /**
   * Invoices need no order among themselves (one per paid order): several at once keep the render threads busy while
   * others read the order or store their PDF.
   */
  override readonly concurrency: number;

  constructor(
    private readonly issuer: InvoiceIssuer,
    config: AppConfig,
  ) {
    super();
    this.concurrency = Math.max(2, config.invoices.renderThreads * 2);
  }

  async handle(event: DomainEvent): Promise<void> {
    const payload = event.payload as OrderStatusChangedPayload;
    if (payload.status !== 'paid') return;
    await this.issuer.issue({ orderId: payload.orderId, paidAt: event.occurredAt });
  }
}
