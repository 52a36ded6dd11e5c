import { randomBytes } from 'node:crypto';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { type SQL, sql } from 'drizzle-orm';
import { expect } from 'vitest';
import { DatabaseClient, type DbExecutor, rowsOf } from '@app/database';
import { AuthApi, authHeader, type Injected, type TestUser } from './auth';

export interface ProductBody {
  id: string;
  sku: string;
  name: string;
  description: string;
  priceCents: number;
  currency: string;
  stock: number;
  active: boolean;
  rating: { average: number | null; count: number };
  createdAt: string;
  updatedAt: string;
  version: number;
}

export interface OrderItemBody {
  productId: string;
  sku: string;
  name: string;
  unitPriceCents: number;
  quantity: number;
  lineTotalCents: number;
}

export type OrderStatus = 'pending' | 'paid' | 'shipped' | 'delivered' | 'cancelled';

export interface OrderBody {
  id: string;
  userId: string;
  status: OrderStatus;
  items: OrderItemBody[];
  totalCents: number;
  currency: string;
  version: number;
  createdAt: string;
  updatedAt: string;
}

export interface PageBody<T> {
  data: T[];
  nextCursor: string | null;
}

export interface OrderLine {
  productId: string;
  quantity: number;
}

export const PROBLEM = {
  validation: 'https://errors.example.dev/validation',
  notFound: 'https://errors.example.dev/not-found',
  conflict: 'https://errors.example.dev/conflict',
  forbidden: 'https://errors.example.dev/forbidden',
  precondition: 'https://errors.example.dev/precondition',
  unprocessable: 'https://errors.example.dev/unprocessable',
  insufficientStock: 'https://errors.example.dev/insufficient-stock',
  invalidTransition: 'https://errors.example.dev/invalid-transition',
  purchaseRequired: 'https://errors.example.dev/purchase-required',
  keyInUse: 'https://errors.example.dev/idempotency-key-in-use',
  keyReused: 'https://errors.example.dev/idempotency-key-reused',
} as const;

/** The ETag the API derives from a version. */
export const etag = (version: number): string => `"v${version}"`;

const hex = (bytes: number): string => randomBytes(bytes).toString('hex');

let skuCounter = 0;
/** Unique per call and per run; matches the SKU rule (upper-case letters, digits, dashes). */
export const uniqueSku = (label = 'SKU'): string => `${label}-${++skuCounter}-${hex(4)}`.toUpperCase();

/** A lower-case word no other test uses, to find a test's own products with `q`. */
export const uniqueTag = (label = 'tag'): string => `${label}${hex(5)}`;

export const uniqueKey = (label = 'key'): string => `${label}-${hex(8)}`;

/** Strictly in the list order: createdAt desc, then id desc (UUIDs compare as their lower-case hex). */
export function expectListOrder(rows: ReadonlyArray<{ id: string; createdAt: string }>): void {
  for (let i = 1; i < rows.length; i++) {
    const [a, b] = [rows[i - 1], rows[i]];
    const ordered = a.createdAt > b.createdAt || (a.createdAt === b.createdAt && a.id > b.id);
    expect(ordered, `${a.createdAt} ${a.id} must come before ${b.createdAt} ${b.id}`).toBe(true);
  }
}

/**
 * The catalog and orders routes on top of {@link AuthApi} (register, login, the bootstrap admin): boot the
 * app with `adminEnv()` and call {@link ShopApi.init} once.
 */
export class ShopApi extends AuthApi {
  private adminUser: TestUser | undefined;

  constructor(app: NestFastifyApplication) {
    super(app);
  }

  /** Logs the bootstrap admin in (the app must have been booted with `adminEnv()`). */
  async init(): Promise<this> {
    this.adminUser = await this.admin();
    return this;
  }

  get adminAccount(): TestUser {
    if (!this.adminUser) throw new Error('ShopApi.init() was not called');
    return this.adminUser;
  }

  get adminToken(): string {
    return this.adminAccount.tokens.accessToken;
  }

  /** `count` fresh accounts, registered and logged in concurrently (argon2 is the slow part). */
  newUsers(count: number, name = 'Shopper'): Promise<TestUser[]> {
    return Promise.all(Array.from({ length: count }, () => this.newUser(name)));
  }

  // --- catalog ---------------------------------------------------------------------------------------

  /** A valid create-product body: unique SKU, 10 in stock at 12.50 EUR, active. */
  productInput(overrides: Record<string, unknown> = {}): Record<string, unknown> {
    const sku = uniqueSku('P');
    return {
      sku,
      name: `Product ${sku}`,
      description: 'A product made for a test',
      priceCents: 1250,
      currency: 'EUR',
      stock: 10,
      ...overrides,
    };
  }

  createProductRaw(token: string | undefined, payload: Record<string, unknown>): Promise<Injected> {
    return this.inject({
      method: 'POST',
      url: '/v1/products',
      headers: token === undefined ? {} : authHeader(token),
      payload,
    });
  }

  /** As the admin: creates a product (defaults from {@link productInput}) and expects 201. */
  async createProduct(overrides: Record<string, unknown> = {}): Promise<ProductBody> {
    const res = await this.createProductRaw(this.adminToken, this.productInput(overrides));
    expect(res.statusCode, res.body).toBe(201);
    return res.json<ProductBody>();
  }

  /** Several products concurrently. */
  createProducts(overrides: ReadonlyArray<Record<string, unknown>>): Promise<ProductBody[]> {
    return Promise.all(overrides.map((o) => this.createProduct(o)));
  }

  getProductRaw(token: string | undefined, id: string, headers: Record<string, string> = {}): Promise<Injected> {
    return this.inject({
      method: 'GET',
      url: `/v1/products/${id}`,
      headers: { ...(token === undefined ? {} : authHeader(token)), ...headers },
    });
  }

  /** The product as it is now (read as the admin). */
  async product(id: string): Promise<ProductBody> {
    const res = await this.getProductRaw(this.adminToken, id);
    expect(res.statusCode, res.body).toBe(200);
    return res.json<ProductBody>();
  }

  async stockOf(id: string): Promise<number> {
    return (await this.product(id)).stock;
  }

  /** Stock of each product, in the given order. */
  stocksOf(ids: readonly string[]): Promise<number[]> {
    return Promise.all(ids.map((id) => this.stockOf(id)));
  }

  /** `PATCH /v1/products/:id`; `ifMatch` undefined sends no If-Match header. */
  patchProduct(
    token: string,
    id: string,
    payload: Record<string, unknown>,
    ifMatch: string | undefined,
  ): Promise<Injected> {
    return this.inject({
      method: 'PATCH',
      url: `/v1/products/${id}`,
      headers: { ...authHeader(token), ...(ifMatch === undefined ? {} : { 'if-match': ifMatch }) },
      payload,
    });
  }

  /** As the admin, with the product's current ETag: expects 200. */
  async changeProduct(id: string, payload: Record<string, unknown>): Promise<ProductBody> {
    const current = await this.product(id);
    const res = await this.patchProduct(this.adminToken, id, payload, etag(current.version));
    expect(res.statusCode, res.body).toBe(200);
    return res.json<ProductBody>();
  }

  listProductsRaw(token: string, query = ''): Promise<Injected> {
    return this.inject({ method: 'GET', url: `/v1/products${query}`, headers: authHeader(token) });
  }

  async listProducts(token: string, query = ''): Promise<PageBody<ProductBody>> {
    const res = await this.listProductsRaw(token, query);
    expect(res.statusCode, res.body).toBe(200);
    return res.json<PageBody<ProductBody>>();
  }

  // --- orders ----------------------------------------------------------------------------------------

  postOrder(token: string, payload: unknown, options: { key?: string } = {}): Promise<Injected> {
    return this.inject({
      method: 'POST',
      url: '/v1/orders',
      headers: { ...authHeader(token), ...(options.key === undefined ? {} : { 'idempotency-key': options.key }) },
      payload: payload as Record<string, unknown>,
    });
  }

  /** Places an order for these lines and expects 201. */
  async order(token: string, items: readonly OrderLine[]): Promise<OrderBody> {
    const res = await this.postOrder(token, { items });
    expect(res.statusCode, res.body).toBe(201);
    return res.json<OrderBody>();
  }

  getOrderRaw(token: string, id: string, headers: Record<string, string> = {}): Promise<Injected> {
    return this.inject({ method: 'GET', url: `/v1/orders/${id}`, headers: { ...authHeader(token), ...headers } });
  }

  /** The order as it is now (read as the admin). */
  async orderById(id: string): Promise<OrderBody> {
    const res = await this.getOrderRaw(this.adminToken, id);
    expect(res.statusCode, res.body).toBe(200);
    return res.json<OrderBody>();
  }

  listOrdersRaw(token: string, query = ''): Promise<Injected> {
    return this.inject({ method: 'GET', url: `/v1/orders${query}`, headers: authHeader(token) });
  }

  async listOrders(token: string, query = ''): Promise<PageBody<OrderBody>> {
    const res = await this.listOrdersRaw(token, query);
    expect(res.statusCode, res.body).toBe(200);
    return res.json<PageBody<OrderBody>>();
  }

  /** Every page of `GET /v1/orders?<filter>`, `limit` at a time, following nextCursor to the end. */
  async listAllOrders(
    token: string,
    filter = '',
    limit = 100,
  ): Promise<{ orders: OrderBody[]; pages: PageBody<OrderBody>[] }> {
    const pages: PageBody<OrderBody>[] = [];
    let cursor: string | null = null;
    do {
      const query = `?${filter}${filter ? '&' : ''}limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`;
      const page = await this.listOrders(token, query);
      pages.push(page);
      cursor = page.nextCursor;
      expect(pages.length).toBeLessThan(200);
    } while (cursor !== null);
    return { orders: pages.flatMap((p) => p.data), pages };
  }

  cancelOrder(token: string, id: string, ifMatch?: string): Promise<Injected> {
    return this.inject({
      method: 'POST',
      url: `/v1/orders/${id}/cancel`,
      headers: { ...authHeader(token), ...(ifMatch === undefined ? {} : { 'if-match': ifMatch }) },
    });
  }

  /** `PATCH /v1/orders/:id/status`; `ifMatch` undefined sends no If-Match header. */
  setOrderStatus(token: string, id: string, status: string, ifMatch: string | undefined): Promise<Injected> {
    return this.inject({
      method: 'PATCH',
      url: `/v1/orders/${id}/status`,
      headers: { ...authHeader(token), ...(ifMatch === undefined ? {} : { 'if-match': ifMatch }) },
      payload: { status },
    });
  }

  /** As the admin, one legal step after another, each with the ETag the previous step returned. */
  async advanceOrder(order: OrderBody, ...statuses: OrderStatus[]): Promise<OrderBody> {
    let current = order;
    for (const status of statuses) {
      const res = await this.setOrderStatus(this.adminToken, current.id, status, etag(current.version));
      expect(res.statusCode, res.body).toBe(200);
      current = res.json<OrderBody>();
    }
    return current;
  }

  // --- straight from the database (what the API cannot be trusted to say about itself) ---------------

  private async query<T>(statement: SQL, executor: DbExecutor = this.app.get(DatabaseClient).db): Promise<T[]> {
    return rowsOf<T>(await executor.execute(statement));
  }

  /** How many orders (any status) contain the product, and the units they hold. */
  async orderedUnits(productId: string): Promise<{ orders: number; units: number }> {
    const [row] = await this.query<{ orders: number; units: number }>(sql`
      select count(distinct o.id)::int as orders, coalesce(sum(i.quantity), 0)::int as units
      from order_items i join orders o on o.id = i.order_id
      where i.product_id = ${productId}`);
    return row ?? { orders: 0, units: 0 };
  }

  /** The stored stock (not through the API), on the root handle or in `executor` (a transaction). */
  async storedStock(productId: string): Promise<number> {
    return this.storedStockIn(this.app.get(DatabaseClient).db, productId);
  }

  async storedStockIn(executor: DbExecutor, productId: string): Promise<number> {
    const [row] = await this.query<{ stock: number }>(
      sql`select stock from products where id = ${productId}`,
      executor,
    );
    if (!row) throw new Error(`no product ${productId}`);
    return row.stock;
  }
}
