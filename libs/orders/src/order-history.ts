import { Injectable } from '@nestjs/common';
import { type DbExecutor, TransactionRunner } from '@app/database';
import { OrdersRepository } from './orders.repository';

/**
 * What other features may ask about a user's orders (a query service: no commands). Exported by `OrdersModule`
 * and `@app/orders`; everything else of orders stays private to the lib.
 */
@Injectable()
export class OrderHistory {
  constructor(
    private readonly tx: TransactionRunner,
    private readonly orders: OrdersRepository,
  ) {}

  /**
   * Whether the user has bought the product: one of their orders contains it and is paid, shipped or delivered
   * (a pending or cancelled order does not count). Both ids are UUIDs. `db`: the transaction to read in, when
   * the caller holds one (PGlite has a single connection).
   */
  hasPurchased(userId: string, productId: string, db: DbExecutor = this.tx.db): Promise<boolean> {
    return this.orders.hasPurchased(db, userId, productId);
  }
}
