import { Injectable } from '@nestjs/common';
import { OrdersRepository } from './orders.repository';

/**
 * What other features may ask about a user's orders (a query service: no commands). Exported by `OrdersModule`
 * and `@app/orders`; everything else of orders stays private to the lib.
 */
@Injectable()
export class OrderHistory {
  constructor(private readonly orders: OrdersRepository) {}

  /**
   * Whether the user has bought the product: one of their orders contains it and is paid, shipped or delivered
   * (a pending or cancelled order does not count). Both ids are UUIDs. Inside a transaction it reads in that
   * transaction, like every repository call.
   */
  hasPurchased(userId: string, productId: string): Promise<boolean> {
    return this.orders.hasPurchased(userId, productId);
  }
}
