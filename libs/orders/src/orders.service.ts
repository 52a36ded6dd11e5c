import { Injectable } from '@nestjs/common';
import type { Principal } from '@app/auth';
import { CatalogStock } from '@app/catalog';
import { OrderCancelled, OrderPlaced, OrderStatusChanged } from '@app/contracts';
import { CursorCodec, type Page, preconditionFailed, ProblemException, ProblemType, toPage } from '@app/core';
import { TransactionHost } from '@app/database';
import { EventBus } from '@app/events';
import type { CreateOrderDto } from './dto/create-order.dto';
import type { ListOrdersQuery } from './dto/list-orders.query';
import { CANCELLABLE, canTransition, type OrderStatus, predecessorsOf } from './order-status';
import { type OrderAccess, OrdersRepository, type OrderWithItems } from './orders.repository';

const notFound = () => new ProblemException({ status: 404, type: ProblemType.notFound, detail: 'No such order' });
const accessOf = (principal: Principal): OrderAccess => ({ userId: principal.id, isAdmin: principal.role === 'admin' });

/** Orders: created from the catalog's prices with stock reserved atomically, then moved through their states. */
@Injectable()
export class OrdersService {
  constructor(
    private readonly txHost: TransactionHost,
    private readonly orders: OrdersRepository,
    private readonly stock: CatalogStock,
    private readonly cursors: CursorCodec,
    private readonly events: EventBus,
  ) {}

  /** Reserves every line's stock and records the order in one transaction: all of it or nothing. */
  async create(principal: Principal, dto: CreateOrderDto): Promise<OrderWithItems> {
    return this.txHost.withTransaction(async () => {
      const lines = await this.stock.reserve(dto.items);
      const items = lines.map((line) => ({
        productId: line.productId,
        sku: line.sku,
        name: line.name,
        unitPriceCents: line.unitPriceCents,
        quantity: line.quantity,
        lineTotalCents: line.unitPriceCents * line.quantity,
      }));
      const totalCents = items.reduce((sum, item) => sum + item.lineTotalCents, 0);
      const currency = lines[0]?.currency ?? 'EUR';
      const order = await this.orders.insert({ userId: principal.id, totalCents, currency }, items);
      await this.events.publish(OrderPlaced, {
        orderId: order.id,
        userId: order.userId,
        status: 'pending',
        totalCents: order.totalCents,
        currency: order.currency,
        items: order.items.map((item) => ({
          productId: item.productId,
          quantity: item.quantity,
          unitPriceCents: item.unitPriceCents,
        })),
      });
      return order;
    });
  }

  async get(principal: Principal, id: string): Promise<OrderWithItems> {
    const order = await this.orders.find(id, accessOf(principal));
    if (!order) throw notFound();
    return order;
  }

  async list(principal: Principal, query: ListOrdersQuery): Promise<Page<OrderWithItems>> {
    const access = accessOf(principal);
    const userId = access.isAdmin ? query.userId : principal.id;
    const scope = `orders?user=${userId ?? '*'}&status=${query.status ?? ''}`;
    const limit = query.limit ?? 20;
    const after = query.cursor ? this.cursors.decode(query.cursor, scope) : undefined;
    const rows = await this.orders.list(access, { status: query.status, userId, after, limit });
    return toPage(rows, limit, (row) => ({ createdAt: row.createdAt, id: row.id }), this.cursors, scope);
  }

  /** Owner or admin; only from pending or paid; the reserved stock goes back exactly once. */
  cancel(principal: Principal, id: string, expectedVersion: number | undefined): Promise<OrderWithItems> {
    return this.move(accessOf(principal), id, 'cancelled', expectedVersion);
  }

  /** Admin: one step along the state machine; anything else is a 409. */
  changeStatus(
    principal: Principal,
    id: string,
    to: OrderStatus,
    expectedVersion: number | undefined,
  ): Promise<OrderWithItems> {
    return this.move(accessOf(principal), id, to, expectedVersion);
  }

  private async move(
    access: OrderAccess,
    id: string,
    to: OrderStatus,
    expectedVersion: number | undefined,
  ): Promise<OrderWithItems> {
    return this.txHost.withTransaction(async () => {
      const from = to === 'cancelled' ? CANCELLABLE : predecessorsOf(to);
      const moved = await this.orders.transition(id, access, from, to, expectedVersion);
      if (!moved) throw await this.whyNot(id, access, to, expectedVersion);
      const change = { orderId: moved.id, userId: moved.userId, from: moved.previousStatus, version: moved.version };
      if (to === 'cancelled') await this.events.publish(OrderCancelled, { ...change, status: 'cancelled' });
      else await this.events.publish(OrderStatusChanged, { ...change, status: to });
      const items = (await this.orders.itemsOf([id])).get(id) ?? [];
      if (to === 'cancelled') await this.stock.release(items);
      return { ...moved, items };
    });
  }

  /** The conditional update matched nothing: say precisely why (404, 412 or 409). */
  private async whyNot(
    id: string,
    access: OrderAccess,
    to: OrderStatus,
    expectedVersion: number | undefined,
  ): Promise<ProblemException> {
    const current = await this.orders.find(id, access);
    if (!current) return notFound();
    if (expectedVersion !== undefined && current.version !== expectedVersion) return preconditionFailed();
    if (!canTransition(current.status, to)) {
      return new ProblemException({
        status: 409,
        type: 'https://errors.example.dev/invalid-transition',
        detail: `An order that is ${current.status} cannot become ${to}`,
        extensions: { currentStatus: current.status },
      });
    }
    return preconditionFailed();
  }
}
