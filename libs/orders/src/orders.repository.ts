import { Injectable } from '@nestjs/common';
import { and, asc, desc, eq, inArray, sql, type SQL } from 'drizzle-orm';
import { type DbExecutor, keysetAfter } from '@app/database';
import type { OrderStatus } from './order-status';
import { type OrderItemRow, orderItems, type OrderRow, orders } from './orders.schema';

export interface OrderWithItems extends OrderRow {
  items: OrderItemRow[];
}

/** Who may see what: an owner sees their own orders, an admin everything. Part of every query. */
export interface OrderAccess {
  userId: string;
  isAdmin: boolean;
}

export interface OrderListFilter {
  status?: OrderStatus;
  /** Admins only: narrow to one user. */
  userId?: string;
  after?: { createdAt: Date; id: string };
  limit: number;
}

const visibleTo = (access: OrderAccess): SQL | undefined =>
  access.isAdmin ? undefined : eq(orders.userId, access.userId);

/** All SQL of orders. Ownership is a WHERE condition, never a check after loading. */
@Injectable()
export class OrdersRepository {
  async insert(
    db: DbExecutor,
    order: Pick<OrderRow, 'userId' | 'totalCents' | 'currency'>,
    items: ReadonlyArray<Omit<OrderItemRow, 'orderId' | 'lineNo'>>,
  ): Promise<OrderWithItems> {
    const [created] = (await db.insert(orders).values(order).returning()) as [OrderRow];
    const rows = items.map((item, index) => ({ ...item, orderId: created.id, lineNo: index + 1 }));
    const insertedItems = await db.insert(orderItems).values(rows).returning();
    return { ...created, items: insertedItems };
  }

  async find(db: DbExecutor, id: string, access: OrderAccess): Promise<OrderWithItems | undefined> {
    const [order] = await db
      .select()
      .from(orders)
      .where(and(eq(orders.id, id), visibleTo(access)))
      .limit(1);
    if (!order) return undefined;
    return { ...order, items: await this.itemsOf(db, [order.id]).then((map) => map.get(order.id) ?? []) };
  }

  async list(db: DbExecutor, access: OrderAccess, filter: OrderListFilter): Promise<OrderWithItems[]> {
    const conditions: SQL[] = [];
    const visible = visibleTo(access);
    if (visible) conditions.push(visible);
    else if (filter.userId) conditions.push(eq(orders.userId, filter.userId));
    if (filter.status) conditions.push(eq(orders.status, filter.status));
    if (filter.after) {
      conditions.push(keysetAfter(orders.createdAt, orders.id, filter.after));
    }
    const rows = await db
      .select()
      .from(orders)
      .where(and(...conditions))
      .orderBy(desc(orders.createdAt), desc(orders.id))
      .limit(filter.limit + 1);
    const items = await this.itemsOf(
      db,
      rows.map((row) => row.id),
    );
    return rows.map((row) => ({ ...row, items: items.get(row.id) ?? [] }));
  }

  /**
   * Moves an order to `to` only if it is visible to the caller, currently in one of `from`, and (when
   * given) still at `expectedVersion`. The single conditional UPDATE is what makes two racing cancels
   * succeed once.
   */
  async transition(
    db: DbExecutor,
    id: string,
    access: OrderAccess,
    from: readonly OrderStatus[],
    to: OrderStatus,
    expectedVersion?: number,
  ): Promise<OrderRow | undefined> {
    const [row] = await db
      .update(orders)
      .set({ status: to, version: sql`${orders.version} + 1`, updatedAt: sql`now()` })
      .where(
        and(
          eq(orders.id, id),
          visibleTo(access),
          inArray(orders.status, [...from]),
          expectedVersion === undefined ? undefined : eq(orders.version, expectedVersion),
        ),
      )
      .returning();
    return row;
  }

  async itemsOf(db: DbExecutor, orderIds: readonly string[]): Promise<Map<string, OrderItemRow[]>> {
    const map = new Map<string, OrderItemRow[]>();
    if (orderIds.length === 0) return map;
    const rows = await db
      .select()
      .from(orderItems)
      .where(inArray(orderItems.orderId, [...orderIds]))
      .orderBy(asc(orderItems.orderId), asc(orderItems.lineNo));
    for (const row of rows) map.set(row.orderId, [...(map.get(row.orderId) ?? []), row]);
    return map;
  }
}
