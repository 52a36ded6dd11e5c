import { Injectable } from '@nestjs/common';
import type { Principal } from '@app/auth';
import { ProblemException, ProblemType } from '@app/core';
import { OrderReader } from '@app/orders';
import { type InvoiceAccess, InvoicesRepository } from './invoices.repository';
import type { InvoiceRow } from './invoices.schema';

export type InvoiceAnswer = { state: 'ready'; invoice: InvoiceRow } | { state: 'pending' };

const accessOf = (principal: Principal): InvoiceAccess => ({
  userId: principal.id,
  isAdmin: principal.role === 'admin',
});

/** What `GET /v1/orders/{id}/invoice` answers: the invoice, "being made", or 404 (no such order, or never paid). */
@Injectable()
export class InvoicesService {
  constructor(
    private readonly invoices: InvoicesRepository,
    private readonly orders: OrderReader,
  ) {}

  async invoiceFor(principal: Principal, orderId: string): Promise<InvoiceAnswer> {
    const access = accessOf(principal);
    const invoice = await this.invoices.find(orderId, access);
    if (invoice) return { state: 'ready', invoice };
    const order = await this.orders.statusFor(orderId, access);
    // Another user's order answers exactly as a missing one does.
    if (!order) throw new ProblemException({ status: 404, type: ProblemType.notFound, detail: 'No such order' });
    // Paid (and maybe cancelled since): its invoice is owed and on its way.
    if (order.paid) return { state: 'pending' };
    throw new ProblemException({
      status: 404,
      type: ProblemType.notFound,
      detail:
        order.status === 'pending'
          ? 'This order has no invoice: it is not paid yet'
          : 'This order has no invoice: it was cancelled before it was paid',
    });
  }
}
