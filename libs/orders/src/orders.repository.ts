import { Injectable } from '@nestjs/common';
import { and, asc, desc, eq, getTableColumns, inArray, sql, type SQL } from 'drizzle-orm';
import { TransactionHost, keysetAfter, PreparedStatement } from '@app/database';
import { type OrderStatus, PURCHASED } from './order-status';
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

type NewOrder = Pick<OrderRow, 'userId' | 'totalCents' | 'currency'>;
type NewItem = Omit<OrderItemRow, 'orderId' | 'lineNo'>;

const INSERT_ORDER = new PreparedStatement<OrderRow[], NewOrder>('orders_insert', (db) =>
  db
    .insert(orders)
    .values({
      userId: sql.placeholder('userId'),
      totalCents: sql.placeholder('totalCents'),
      currency: sql.placeholder('currency'),
    })
    .returning(),
);

const ITEM_FIELDS = ['productId', 'sku', 'name', 'unitPriceCents', 'quantity', 'lineTotalCents'] as const;

/** The items insert for `count` lines, built the first time an order has that many (at most the DTO's limit). */
const insertItems = new Map<number, PreparedStatement<OrderItemRow[], Record<string, unknown>>>();
const insertItemsOf = (count: number): PreparedStatement<OrderItemRow[], Record<string, unknown>> => {
  let statement = insertItems.get(count);
  if (statement === undefined) {
    statement = new PreparedStatement(`orders_insert_items_${count}`, (db) =>
      db
        .insert(orderItems)
        .values(
          Array.from({ length: count }, (_, line) => ({
            orderId: sql.placeholder('orderId'),
            lineNo: line + 1,
            ...Object.fromEntries(ITEM_FIELDS.map((field) => [field, sql.placeholder(`${field}${line}`)])),
          })) as never,
        )
        .returning(),
    );
    insertItems.set(count, statement);
  }
  return statement;
};

/** One order by id, for its owner (`userId`) or for an admin (any owner). */
const ORDER_FOR_OWNER = new PreparedStatement<OrderRow[], { id: string; userId: string }>('orders_by_id_owner', (db) =>
  db
    .select()
    .from(orders)
    .where(and(eq(orders.id, sql.placeholder('id')), eq(orders.userId, sql.placeholder('userId'))))
    .limit(1),
);
const ORDER_FOR_ADMIN = new PreparedStatement<OrderRow[], { id: string }>('orders_by_id_admin', (db) =>
  db
    .select()
    .from(orders)
    .where(eq(orders.id, sql.placeholder('id')))
    .limit(1),
);
const ITEMS_OF_ORDER = new PreparedStatement<OrderItemRow[], { orderId: string }>('orders_items_of_order', (db) =>
  db
    .select()
    .from(orderItems)
    .where(eq(orderItems.orderId, sql.placeholder('orderId')))
    .orderBy(asc(orderItems.lineNo)),
);

/**
 * Whether one of the user's paid, shipped or delivered orders contains the product: an existence check (the
 * first matching line ends it), owner in the WHERE clause; reaches the user's orders by orders_user_created_id_idx
 * and their lines by the order_items primary key.
 */
const HAS_PURCHASED = new PreparedStatement<Array<{ found: number }>, { userId: string; productId: string }>(
  'orders_has_purchased',
  (db) =>
    db
      .select({ found: sql<number>`1` })
      .from(orders)
      .innerJoin(orderItems, eq(orderItems.orderId, orders.id))
      .where(
        and(
          eq(orders.userId, sql.placeholder('userId')),
          inArray(orders.status, [...PURCHASED]),
          eq(orderItems.productId, sql.placeholder('productId')),
        ),
      )
      .limit(1),
);

/** All SQL of orders. Ownership is a WHERE condition, never a check after loading. */
@Injectable()
export class OrdersRepository {
  constructor(private readonly txHost: TransactionHost) {}

  async insert(order: NewOrder, items: readonly NewItem[]): Promise<OrderWithItems> {
    const [created] = (await INSERT_ORDER.execute(this.txHost.tx, order)) as [OrderRow];
    const values: Record<string, unknown> = { orderId: created.id };
    items.forEach((item, line) => {
      for (const field of ITEM_FIELDS) values[`${field}${line}`] = item[field];
    });
    const insertedItems = await insertItemsOf(items.length).execute(this.txHost.tx, values);
    return { ...created, items: insertedItems };
  }

  async find(id: string, access: OrderAccess): Promise<OrderWithItems | undefined> {
    const order = await this.findRow(id, access);
    if (!order) return undefined;
    return { ...order, items: await ITEMS_OF_ORDER.execute(this.txHost.tx, { orderId: order.id }) };
  }

  /** The order's own row, without its lines, when the caller may see it. */
  async findRow(id: string, access: OrderAccess): Promise<OrderRow | undefined> {
    const [order] = access.isAdmin
      ? await ORDER_FOR_ADMIN.execute(this.txHost.tx, { id })
      : await ORDER_FOR_OWNER.execute(this.txHost.tx, { id, userId: access.userId });
    return order;
  }

  async list(access: OrderAccess, filter: OrderListFilter): Promise<OrderWithItems[]> {
    const conditions: SQL[] = [];
    const visible = visibleTo(access);
    if (visible) conditions.push(visible);
    else if (filter.userId) conditions.push(eq(orders.userId, filter.userId));
    if (filter.status) conditions.push(eq(orders.status, filter.status));
    if (filter.after) {
      conditions.push(keysetAfter(orders.createdAt, orders.id, filter.after));
    }
    const rows = await this.txHost.tx
      .select()
      .from(orders)
      .where(and(...conditions))
      .orderBy(desc(orders.createdAt), desc(orders.id))
      .limit(filter.limit + 1);
    const items = await this.itemsOf(rows.map((row) => row.id));
    return rows.map((row) => ({ ...row, items: items.get(row.id) ?? [] }));
  }

  /**
   * Moves an order to `to` only if it is visible to the caller, currently in one of `from`, and (when
   * given) still at `expectedVersion`. The single conditional UPDATE is what makes two racing cancels
   * succeed once.
   */
  async transition(
    id: string,
    access: OrderAccess,
    from: readonly OrderStatus[],
    to: OrderStatus,
    expectedVersion?: number,
  ): Promise<(OrderRow & { previousStatus: OrderStatus }) | undefined> {
    // The row as it was, locked, so that the answer can say which status the order left.
    const previous = this.txHost.tx
      .select({ id: orders.id, status: orders.status })
      .from(orders)
      .where(eq(orders.id, id))
      .for('update')
      .as('previous');
    const [row] = await this.txHost.tx
      .update(orders)
      .set({
        status: to,
        version: sql`${orders.version} + 1`,
        updatedAt: sql`now()`,
        ...(to === 'paid' ? { paidAt: sql`now()` } : {}),
      })
      .from(previous)
      .where(
        and(
          eq(orders.id, previous.id),
          visibleTo(access),
          inArray(orders.status, [...from]),
          expectedVersion === undefined ? undefined : eq(orders.version, expectedVersion),
        ),
      )
      .returning({ ...getTableColumns(orders), previousStatus: previous.status });
    return row;
  }

  /** Whether one of the user's paid, shipped or delivered orders contains the product. */
  async hasPurchased(userId: string, productId: string): Promise<boolean> {
    const rows = await HAS_PURCHASED.execute(this.txHost.tx, { userId, productId });
    return rows.length > 0;
  }

  async itemsOf(orderIds: readonly string[]): Promise<Map<string, OrderItemRow[]>> {
    const map = new Map<string, OrderItemRow[]>();
    if (orderIds.length === 0) return map;
    const rows = await this.txHost.tx
      .select()
      .from(orderItems)
      .where(inArray(orderItems.orderId, [...orderIds]))
      .orderBy(asc(orderItems.orderId), asc(orderItems.lineNo));
    for (const row of rows) map.set(row.orderId, [...(map.get(row.orderId) ?? []), row]);
    return map;
  }
}
