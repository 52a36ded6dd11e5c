import { Injectable } from '@nestjs/common';
import { and, eq, sql } from 'drizzle-orm';
import { PreparedStatement, TransactionHost } from '@app/database';
import { type InvoiceRow, invoices, type NewInvoice } from './invoices.schema';

/** Who may read an invoice: its customer, or an admin (any). */
export interface InvoiceAccess {
  userId: string;
  isAdmin: boolean;
}

const FOR_OWNER = new PreparedStatement<InvoiceRow[], { orderId: string; userId: string }>(
  'invoices_by_order_owner',
  (db) =>
    db
      .select()
      .from(invoices)
      .where(and(eq(invoices.orderId, sql.placeholder('orderId')), eq(invoices.userId, sql.placeholder('userId'))))
      .limit(1),
);
const FOR_ADMIN = new PreparedStatement<InvoiceRow[], { orderId: string }>('invoices_by_order_admin', (db) =>
  db
    .select()
    .from(invoices)
    .where(eq(invoices.orderId, sql.placeholder('orderId')))
    .limit(1),
);

/** All SQL of invoices. Ownership is a WHERE condition, never a check after loading. */
@Injectable()
export class InvoicesRepository {
  constructor(private readonly txHost: TransactionHost) {}

  /** The order's invoice, when it exists and the caller may see it. */
  async find(orderId: string, access: InvoiceAccess): Promise<InvoiceRow | undefined> {
    const [row] = access.isAdmin
      ? await FOR_ADMIN.execute(this.txHost.tx, { orderId })
      : await FOR_OWNER.execute(this.txHost.tx, { orderId, userId: access.userId });
    return row;
  }

  /** Whether the order has an invoice (for the makers, which act for no caller). */
  async exists(orderId: string): Promise<boolean> {
    const rows = await this.txHost.tx
      .select({ orderId: invoices.orderId })
      .from(invoices)
      .where(eq(invoices.orderId, orderId))
      .limit(1);
    return rows.length > 0;
  }

  /** Stores the invoice unless the order has one: true when this call stored it. */
  async insertOnce(invoice: NewInvoice): Promise<boolean> {
    const rows = await this.txHost.tx
      .insert(invoices)
      .values(invoice)
      .onConflictDoNothing({ target: invoices.orderId })
      .returning({ orderId: invoices.orderId });
    return rows.length > 0;
  }
}
