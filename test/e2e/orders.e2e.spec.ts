import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  adminEnv,
  expectProblem,
  expectUnauthorized,
  type Injected,
  invalidFields,
  type TestUser,
} from '../support/auth';
import { describeEachDatabase, type TestDatabase } from '../support/databases';
import {
  etag,
  expectListOrder,
  type OrderBody,
  type OrderStatus,
  PROBLEM,
  type ProductBody,
  ShopApi,
  uniqueKey,
} from '../support/shop';
import { bootTestApp, type TestApp } from '../support/test-app';

/** A problem body without what differs per request. */
const problemShape = (res: Injected): Record<string, unknown> => {
  const { requestId: _requestId, instance: _instance, ...rest } = res.json<Record<string, unknown>>();
  return rest;
};

const ids = (orders: readonly OrderBody[]): string[] => orders.map((o) => o.id);

/** createdAt desc, then id desc (ISO timestamps and lower-case UUIDs compare as plain strings). */
const inListOrder = (orders: readonly OrderBody[]): OrderBody[] =>
  [...orders].sort((a, b) => {
    const [x, y] = [`${a.createdAt} ${a.id}`, `${b.createdAt} ${b.id}`];
    return x < y ? 1 : x > y ? -1 : 0;
  });

describeEachDatabase('orders routes', (tier) => {
  let db: TestDatabase;
  let t: TestApp;
  let api: ShopApi;
  let alice: TestUser;
  let bob: TestUser;

  beforeAll(async () => {
    db = await tier.create();
    t = await bootTestApp({ ...db.env, ...adminEnv() });
    api = await new ShopApi(t.app).init();
    [alice, bob] = await api.newUsers(2);
  });
  afterAll(async () => {
    await t?.close();
    await db?.cleanup();
  });

  const aliceToken = (): string => alice.tokens.accessToken;
  const bobToken = (): string => bob.tokens.accessToken;

  /** Stock of each product and the units ordered of it are what they were. */
  async function expectUntouched(products: readonly ProductBody[]): Promise<void> {
    expect(await api.stocksOf(products.map((p) => p.id))).toEqual(products.map((p) => p.stock));
    for (const p of products) expect(await api.orderedUnits(p.id)).toEqual({ orders: 0, units: 0 });
  }

  describe('POST /v1/orders', () => {
    it('201 with Location and ETag; names, prices and totals come from the catalog; stock is taken', async () => {
      const [lamp, bulb] = await api.createProducts([
        { name: 'Desk Lamp', priceCents: 1250, stock: 10 },
        { name: 'Bulb', priceCents: 399, stock: 5 },
      ]);
      const res = await api.postOrder(aliceToken(), {
        items: [
          { productId: bulb.id, quantity: 2 },
          { productId: lamp.id, quantity: 3 },
        ],
      });
      expect(res.statusCode, res.body).toBe(201);
      const order = res.json<OrderBody>();
      expect(order).toEqual({
        id: expect.stringMatching(/^[0-9a-f-]{36}$/),
        userId: alice.id,
        status: 'pending',
        items: [
          { productId: bulb.id, sku: bulb.sku, name: 'Bulb', unitPriceCents: 399, quantity: 2, lineTotalCents: 798 },
          {
            productId: lamp.id,
            sku: lamp.sku,
            name: 'Desk Lamp',
            unitPriceCents: 1250,
            quantity: 3,
            lineTotalCents: 3750,
          },
        ],
        totalCents: 4548,
        currency: 'EUR',
        version: 1,
        createdAt: expect.any(String),
        updatedAt: expect.any(String),
      });
      expect(res.headers.location).toBe(`/v1/orders/${order.id}`);
      expect(res.headers.etag).toBe('"v1"');
      expect(res.headers['idempotent-replayed']).toBeUndefined();

      const read = await api.getOrderRaw(aliceToken(), order.id);
      expect(read.statusCode).toBe(200);
      expect(read.json()).toEqual(order);
      expect(await api.stocksOf([lamp.id, bulb.id])).toEqual([7, 3]);
    });

    it.each([
      ['unitPriceCents on a line', { unitPriceCents: 1 }, {}, ['items[0].unitPriceCents']],
      ['lineTotalCents on a line', { lineTotalCents: 1 }, {}, ['items[0].lineTotalCents']],
      ['name on a line', { name: 'Free stuff' }, {}, ['items[0].name']],
      ['totalCents on the order', {}, { totalCents: 1 }, ['totalCents']],
      ['currency on the order', {}, { currency: 'USD' }, ['currency']],
      ['status on the order', {}, { status: 'paid' }, ['status']],
    ])('a client-sent %s → 400; nothing is reserved', async (_label, lineExtra, orderExtra, fields) => {
      const product = await api.createProduct({ priceCents: 5000, stock: 4 });
      const res = await api.postOrder(aliceToken(), {
        items: [{ productId: product.id, quantity: 1, ...lineExtra }],
        ...orderExtra,
      });
      expect(invalidFields(res)).toEqual(fields);
      await expectUntouched([product]);
    });

    it('totals beyond 32 bits are exact (the largest price × 22 units)', async () => {
      const product = await api.createProduct({ priceCents: 100_000_000, stock: 1000 });
      const order = await api.order(aliceToken(), [{ productId: product.id, quantity: 22 }]);
      expect(order.totalCents).toBe(2_200_000_000);
      expect(order.items[0]?.lineTotalCents).toBe(2_200_000_000);
      expect((await api.orderById(order.id)).totalCents).toBe(2_200_000_000);
    });

    it('a later price or name change does not alter an existing order', async () => {
      const product = await api.createProduct({ name: 'Old Name', priceCents: 1000, stock: 10 });
      const order = await api.order(aliceToken(), [{ productId: product.id, quantity: 2 }]);
      expect(order.totalCents).toBe(2000);
      const changed = await api.changeProduct(product.id, { name: 'New Name', priceCents: 9999 });
      expect(changed).toMatchObject({ name: 'New Name', priceCents: 9999 });

      const read = await api.getOrderRaw(aliceToken(), order.id);
      expect(read.json()).toEqual(order);
      expect(read.headers.etag).toBe(etag(order.version));
      // A new order takes the new price.
      const next = await api.order(aliceToken(), [{ productId: product.id, quantity: 1 }]);
      expect(next.items[0]).toMatchObject({ name: 'New Name', unitPriceCents: 9999, lineTotalCents: 9999 });
      expect(next.totalCents).toBe(9999);
    });

    it("taking stock is a change to the product: its version moves on, so an admin's edit from an older read → 412", async () => {
      const product = await api.createProduct({ stock: 10 });
      await api.order(aliceToken(), [{ productId: product.id, quantity: 4 }]);
      const after = await api.product(product.id);
      expect(after).toMatchObject({ stock: 6, version: product.version + 1 });
      // Setting stock to 10 from the old read would silently undo the sale.
      const stale = await api.patchProduct(api.adminToken, product.id, { stock: 10 }, etag(product.version));
      expect(expectProblem(stale, 412).type).toBe(PROBLEM.precondition);
      expect(await api.stockOf(product.id)).toBe(6);
    });

    describe('the shape of the items', () => {
      type Line = (quantity?: unknown, productId?: unknown) => { productId: unknown; quantity: unknown };
      /** A line for `productId` (the test's own product unless given). */
      const lineFor =
        (product: ProductBody): Line =>
        (quantity = 1, productId = product.id) => ({ productId, quantity });

      it.each([
        ['no items', () => ({ items: [] }), ['items']],
        ['no items property', () => ({}), ['items']],
        ['items not an array', () => ({ items: 'all of them' }), ['items']],
        [
          '51 distinct items',
          (line: Line) => ({ items: [line(), ...Array.from({ length: 50 }, () => line(1, randomUUID()))] }),
          ['items'],
        ],
        ['quantity 0', (line: Line) => ({ items: [line(0)] }), ['items[0].quantity']],
        ['quantity 1001', (line: Line) => ({ items: [line(1001)] }), ['items[0].quantity']],
        ['quantity -1', (line: Line) => ({ items: [line(-1)] }), ['items[0].quantity']],
        ['quantity 1.5', (line: Line) => ({ items: [line(1.5)] }), ['items[0].quantity']],
        ["quantity '2'", (line: Line) => ({ items: [line('2')] }), ['items[0].quantity']],
        ['the same product twice', (line: Line) => ({ items: [line(1), line(2)] }), ['items']],
        ['a productId that is not a uuid', (line: Line) => ({ items: [line(1, 'lamp')] }), ['items[0].productId']],
      ])('%s → 400 and nothing reserved', async (_label, payload: (line: Line) => unknown, fields) => {
        const product = await api.createProduct({ stock: 100 });
        expect(invalidFields(await api.postOrder(aliceToken(), payload(lineFor(product))))).toEqual(fields);
        await expectUntouched([product]);
      });

      it('the bounds themselves are accepted: 50 items pass validation, quantity 1000 is sold', async () => {
        const product = await api.createProduct({ stock: 100 });
        const line = lineFor(product);
        const many = await api.postOrder(aliceToken(), {
          items: [line(1), ...Array.from({ length: 49 }, () => line(1, randomUUID()))],
        });
        // Past validation: the unknown products are what is refused.
        expect(expectProblem(many, 422).type).toBe(PROBLEM.unprocessable);
        await expectUntouched([product]);
        const big = await api.createProduct({ priceCents: 1, stock: 1000 });
        const order = await api.order(aliceToken(), [{ productId: big.id, quantity: 1000 }]);
        expect(order.totalCents).toBe(1000);
        expect(await api.stockOf(big.id)).toBe(0);
      });
    });

    it('an unknown or inactive product → 422, and the other lines reserve nothing', async () => {
      const [available, inactive, deactivated] = await api.createProducts([
        { stock: 5 },
        { stock: 5, active: false },
        { stock: 5 },
      ]);
      const retired = await api.changeProduct(deactivated.id, { active: false });
      const unknown = randomUUID();
      for (const productId of [unknown, inactive.id, deactivated.id]) {
        const res = await api.postOrder(aliceToken(), {
          items: [
            { productId: available.id, quantity: 1 },
            { productId, quantity: 1 },
          ],
        });
        const body = expectProblem(res, 422);
        expect(body.type).toBe(PROBLEM.unprocessable);
        expect(body.detail).toContain(productId);
      }
      await expectUntouched([available, inactive, retired]);
    });

    it("insufficient stock → 409 naming the product's sku; nothing taken; the last units still sell", async () => {
      const product = await api.createProduct({ stock: 2 });
      const res = await api.postOrder(aliceToken(), { items: [{ productId: product.id, quantity: 3 }] });
      const body = expectProblem(res, 409);
      expect(body).toMatchObject({ type: PROBLEM.insufficientStock, sku: product.sku, productId: product.id });
      expect(body.detail).toContain(product.sku);
      await expectUntouched([product]);

      await api.order(aliceToken(), [{ productId: product.id, quantity: 2 }]);
      expect(await api.stockOf(product.id)).toBe(0);
      const none = await api.postOrder(bobToken(), { items: [{ productId: product.id, quantity: 1 }] });
      expect(expectProblem(none, 409).detail).toContain(product.sku);
      expect(await api.stockOf(product.id)).toBe(0);
    });

    it('mixed currencies → 422; nothing reserved', async () => {
      const [euro, dollar] = await api.createProducts([
        { currency: 'EUR', stock: 3 },
        { currency: 'USD', stock: 3 },
      ]);
      const res = await api.postOrder(aliceToken(), {
        items: [
          { productId: euro.id, quantity: 1 },
          { productId: dollar.id, quantity: 1 },
        ],
      });
      expect(expectProblem(res, 422).type).toBe(PROBLEM.unprocessable);
      await expectUntouched([euro, dollar]);
    });

    it("a multi-item order that fails on its last line leaves every product's stock unchanged", async () => {
      const products = await api.createProducts([{ stock: 5 }, { stock: 5 }, { stock: 5 }]);
      // Lines are reserved in product-id order: make the highest id the one that runs short, so the
      // other two were already taken when it fails, and list it first.
      const [last, ...others] = [...products].sort((a, b) => (a.id < b.id ? 1 : -1));
      const res = await api.postOrder(aliceToken(), {
        items: [{ productId: last.id, quantity: 6 }, ...others.map((p) => ({ productId: p.id, quantity: 2 }))],
      });
      const body = expectProblem(res, 409);
      expect(body).toMatchObject({ type: PROBLEM.insufficientStock, sku: last.sku });
      await expectUntouched(products);
    });

    it('needs a token', async () => {
      const product = await api.createProduct();
      expectUnauthorized(
        await api.inject({
          method: 'POST',
          url: '/v1/orders',
          payload: { items: [{ productId: product.id, quantity: 1 }] },
        }),
      );
      await expectUntouched([product]);
    });
  });

  describe('reading orders', () => {
    it('GET: ETag; If-None-Match with it → 304 and no body; a stale one → 200', async () => {
      const product = await api.createProduct();
      const order = await api.order(aliceToken(), [{ productId: product.id, quantity: 1 }]);
      const first = await api.getOrderRaw(aliceToken(), order.id);
      expect(first.headers.etag).toBe('"v1"');
      expect(first.headers['cache-control']).toBe('no-store');
      const notModified = await api.getOrderRaw(aliceToken(), order.id, { 'if-none-match': '"v1"' });
      expect(notModified.statusCode).toBe(304);
      expect(notModified.body).toBe('');
      expect(notModified.headers.etag).toBe('"v1"');

      expect((await api.cancelOrder(aliceToken(), order.id)).statusCode).toBe(200);
      const stale = await api.getOrderRaw(aliceToken(), order.id, { 'if-none-match': '"v1"' });
      expect(stale.statusCode).toBe(200);
      expect(stale.json()).toMatchObject({ id: order.id, status: 'cancelled', version: 2 });
      expect(stale.headers.etag).toBe('"v2"');
    });

    it("another user's order is a 404 on GET and cancel, like one that does not exist; an admin sees it", async () => {
      const product = await api.createProduct({ stock: 5 });
      const order = await api.order(aliceToken(), [{ productId: product.id, quantity: 2 }]);

      const missing = await api.getOrderRaw(bobToken(), randomUUID());
      const foreign = await api.getOrderRaw(bobToken(), order.id);
      expect(expectProblem(foreign, 404).type).toBe(PROBLEM.notFound);
      expect(problemShape(foreign)).toEqual(problemShape(missing));
      // Even knowing its ETag does not help.
      expectProblem(await api.getOrderRaw(bobToken(), order.id, { 'if-none-match': '"v1"' }), 404);

      const cancelMissing = await api.cancelOrder(bobToken(), randomUUID());
      const cancelForeign = await api.cancelOrder(bobToken(), order.id);
      expect(expectProblem(cancelForeign, 404).type).toBe(PROBLEM.notFound);
      expect(problemShape(cancelForeign)).toEqual(problemShape(cancelMissing));
      expectProblem(await api.cancelOrder(bobToken(), order.id, '"v1"'), 404);
      expectProblem(await api.cancelOrder(bobToken(), order.id, '"v7"'), 404);

      const asAdmin = await api.getOrderRaw(api.adminToken, order.id);
      expect(asAdmin.statusCode).toBe(200);
      expect(asAdmin.json()).toEqual(order);
      expect(await api.stockOf(product.id)).toBe(3);
    });

    it('GET /v1/orders lists only the caller’s orders; admins see everyone’s and may filter by userId', async () => {
      const [carol, dave] = await api.newUsers(2);
      const product = await api.createProduct({ stock: 100 });
      const line = [{ productId: product.id, quantity: 1 }];
      const carols: OrderBody[] = [];
      const daves: OrderBody[] = [];
      for (let i = 0; i < 3; i++) carols.push(await api.order(carol.tokens.accessToken, line));
      for (let i = 0; i < 2; i++) daves.push(await api.order(dave.tokens.accessToken, line));

      const carolList = await api.listOrders(carol.tokens.accessToken);
      expect(ids(carolList.data)).toEqual(ids(inListOrder(carols)));
      expect(carolList.data).toEqual(inListOrder(carols));
      expect(carolList.nextCursor).toBeNull();
      expectListOrder(carolList.data);
      expect(ids((await api.listOrders(dave.tokens.accessToken)).data)).toEqual(ids(inListOrder(daves)));
      // A user's userId filter is ignored: still only their own.
      const sneaky = await api.listOrders(dave.tokens.accessToken, `?userId=${carol.id}`);
      expect(ids(sneaky.data)).toEqual(ids(inListOrder(daves)));

      const forCarol = await api.listOrders(api.adminToken, `?userId=${carol.id}`);
      expect(ids(forCarol.data)).toEqual(ids(inListOrder(carols)));
      const everyone = await api.listAllOrders(api.adminToken);
      expectListOrder(everyone.orders);
      expect(ids(everyone.orders)).toEqual(expect.arrayContaining([...ids(carols), ...ids(daves)]));
      expect(new Set(everyone.orders.map((o) => o.userId)).size).toBeGreaterThanOrEqual(2);
      expect(invalidFields(await api.listOrdersRaw(api.adminToken, '?userId=carol'))).toEqual(['userId']);
    });

    it('the status filter, for owners and admins', async () => {
      const [erin] = await api.newUsers(1);
      const token = erin.tokens.accessToken;
      const product = await api.createProduct({ stock: 10 });
      const line = [{ productId: product.id, quantity: 1 }];
      const [a, b, c] = [await api.order(token, line), await api.order(token, line), await api.order(token, line)];
      expect((await api.cancelOrder(token, a.id)).statusCode).toBe(200);
      await api.advanceOrder(b, 'paid');

      const byStatus = async (status: OrderStatus, who = token, extra = ''): Promise<string[]> =>
        ids((await api.listOrders(who, `?status=${status}${extra}`)).data);
      expect(await byStatus('cancelled')).toEqual([a.id]);
      expect(await byStatus('paid')).toEqual([b.id]);
      expect(await byStatus('pending')).toEqual([c.id]);
      expect(await byStatus('shipped')).toEqual([]);
      expect(await byStatus('cancelled', api.adminToken, `&userId=${erin.id}`)).toEqual([a.id]);
      const allCancelled = (await api.listAllOrders(api.adminToken, 'status=cancelled')).orders;
      expect(ids(allCancelled)).toContain(a.id);
      expect(allCancelled.every((o) => o.status === 'cancelled')).toBe(true);
      expect(invalidFields(await api.listOrdersRaw(token, '?status=lost'))).toEqual(['status']);
    });

    it('keyset pages; forged, foreign and other users’ cursors → 400; limit above 100 → 400', async () => {
      const [frank, grace] = await api.newUsers(2);
      const token = frank.tokens.accessToken;
      const product = await api.createProduct({ stock: 10 });
      const created: OrderBody[] = [];
      for (let i = 0; i < 5; i++) created.push(await api.order(token, [{ productId: product.id, quantity: 1 }]));

      const { orders, pages } = await api.listAllOrders(token, '', 2);
      expect(pages.map((p) => p.data.length)).toEqual([2, 2, 1]);
      expect(pages.map((p) => p.nextCursor === null)).toEqual([false, false, true]);
      expect(ids(orders)).toEqual(ids(inListOrder(created)));
      expectListOrder(orders);

      const cursor = pages[0]?.nextCursor as string;
      const i = Math.floor(cursor.length / 2);
      const forged = `${cursor.slice(0, i)}${cursor[i] === 'A' ? 'B' : 'A'}${cursor.slice(i + 1)}`;
      for (const res of [
        await api.listOrdersRaw(token, `?limit=2&cursor=${forged}`),
        await api.listOrdersRaw(token, '?limit=2&cursor=bm90LWEtY3Vyc29y'),
        // Frank's cursor on Grace's list, on the admin's list, or with another filter.
        await api.listOrdersRaw(grace.tokens.accessToken, `?limit=2&cursor=${cursor}`),
        await api.listOrdersRaw(api.adminToken, `?limit=2&cursor=${cursor}`),
        await api.listOrdersRaw(token, `?limit=2&status=pending&cursor=${cursor}`),
      ]) {
        expect(invalidFields(res)).toEqual(['cursor']);
      }
      // The admin's own cursor for Frank's orders works for the admin.
      const adminPage = await api.listOrders(api.adminToken, `?userId=${frank.id}&limit=2`);
      const next = await api.listOrders(api.adminToken, `?userId=${frank.id}&limit=2&cursor=${adminPage.nextCursor}`);
      expect([...ids(adminPage.data), ...ids(next.data)]).toEqual(ids(orders).slice(0, 4));

      expect(invalidFields(await api.listOrdersRaw(token, '?limit=101'))).toEqual(['limit']);
      expect((await api.listOrdersRaw(token, '?limit=100')).statusCode).toBe(200);
      expectUnauthorized(await api.inject({ method: 'GET', url: '/v1/orders' }));
    });
  });

  describe('POST /v1/orders/:id/cancel', () => {
    it('from pending → 200 with the new version and ETag; the stock comes back once; again → 409', async () => {
      const product = await api.createProduct({ stock: 10 });
      const order = await api.order(aliceToken(), [{ productId: product.id, quantity: 4 }]);
      expect(await api.stockOf(product.id)).toBe(6);

      const res = await api.cancelOrder(aliceToken(), order.id);
      expect(res.statusCode, res.body).toBe(200);
      expect(res.json()).toEqual({ ...order, status: 'cancelled', version: 2, updatedAt: expect.any(String) });
      expect(res.headers.etag).toBe('"v2"');
      expect(await api.stockOf(product.id)).toBe(10);

      const again = await api.cancelOrder(aliceToken(), order.id);
      const body = expectProblem(again, 409);
      expect(body).toMatchObject({ type: PROBLEM.invalidTransition, currentStatus: 'cancelled' });
      expect(await api.stockOf(product.id)).toBe(10);
      expect((await api.orderById(order.id)).version).toBe(2);
    });

    it('from paid → 200 and the stock comes back; from shipped or delivered → 409 and it stays sold', async () => {
      const product = await api.createProduct({ stock: 10 });
      const line = [{ productId: product.id, quantity: 1 }];
      const paid = await api.advanceOrder(await api.order(aliceToken(), line), 'paid');
      const shipped = await api.advanceOrder(await api.order(aliceToken(), line), 'paid', 'shipped');
      const delivered = await api.advanceOrder(await api.order(aliceToken(), line), 'paid', 'shipped', 'delivered');
      expect(await api.stockOf(product.id)).toBe(7);

      const fromPaid = await api.cancelOrder(aliceToken(), paid.id);
      expect(fromPaid.statusCode, fromPaid.body).toBe(200);
      expect(fromPaid.json()).toMatchObject({ status: 'cancelled', version: paid.version + 1 });
      expect(await api.stockOf(product.id)).toBe(8);

      for (const order of [shipped, delivered]) {
        const res = await api.cancelOrder(aliceToken(), order.id, etag(order.version));
        expect(expectProblem(res, 409)).toMatchObject({ type: PROBLEM.invalidTransition, currentStatus: order.status });
        expect(await api.orderById(order.id)).toEqual(order);
      }
      expect(await api.stockOf(product.id)).toBe(8);
    });

    it('a stale If-Match → 412 and nothing changes; the current one → 200', async () => {
      const product = await api.createProduct({ stock: 10 });
      const order = await api.order(aliceToken(), [{ productId: product.id, quantity: 3 }]);
      for (const stale of ['"v0"', '"v2"', '"something-else"']) {
        expect(expectProblem(await api.cancelOrder(aliceToken(), order.id, stale), 412).type).toBe(
          PROBLEM.precondition,
        );
      }
      expect(await api.orderById(order.id)).toEqual(order);
      expect(await api.stockOf(product.id)).toBe(7);

      const res = await api.cancelOrder(aliceToken(), order.id, etag(order.version));
      expect(res.statusCode, res.body).toBe(200);
      expect(res.headers.etag).toBe(etag(order.version + 1));
      expect(await api.stockOf(product.id)).toBe(10);
    });

    it("an admin may cancel a user's order", async () => {
      const product = await api.createProduct({ stock: 10 });
      const order = await api.order(aliceToken(), [{ productId: product.id, quantity: 5 }]);
      const res = await api.cancelOrder(api.adminToken, order.id);
      expect(res.statusCode, res.body).toBe(200);
      expect(res.json()).toMatchObject({ id: order.id, userId: alice.id, status: 'cancelled' });
      expect(await api.stockOf(product.id)).toBe(10);
    });
  });

  describe('PATCH /v1/orders/:id/status (admin)', () => {
    const newOrder = async (): Promise<{ order: OrderBody; product: ProductBody }> => {
      const product = await api.createProduct({ stock: 10 });
      return { product, order: await api.order(aliceToken(), [{ productId: product.id, quantity: 2 }]) };
    };

    it('without If-Match → 428 and nothing changes', async () => {
      const { order } = await newOrder();
      const res = await api.setOrderStatus(api.adminToken, order.id, 'paid', undefined);
      expect(expectProblem(res, 428).type).toBe(PROBLEM.precondition);
      expect(await api.orderById(order.id)).toEqual(order);
    });

    it('pending → paid → shipped → delivered, each with If-Match: 200, version + 1, a new ETag', async () => {
      const { order, product } = await newOrder();
      let current = order;
      const seen = [etag(order.version)];
      for (const status of ['paid', 'shipped', 'delivered'] as const) {
        const res = await api.setOrderStatus(api.adminToken, current.id, status, etag(current.version));
        expect(res.statusCode, res.body).toBe(200);
        const next = res.json<OrderBody>();
        expect(next).toEqual({ ...current, status, version: current.version + 1, updatedAt: expect.any(String) });
        expect(res.headers.etag).toBe(etag(next.version));
        expect(seen).not.toContain(res.headers.etag);
        seen.push(res.headers.etag as string);
        current = next;
      }
      expect(await api.orderById(order.id)).toEqual(current);
      expect((await api.getOrderRaw(aliceToken(), order.id)).json()).toMatchObject({ status: 'delivered' });
      expect(await api.stockOf(product.id)).toBe(8);
    });

    it('illegal transitions → 409 and nothing changes', async () => {
      const pending = (await newOrder()).order;
      const delivered = await api.advanceOrder((await newOrder()).order, 'paid', 'shipped', 'delivered');
      const cancelled = (await api.cancelOrder(aliceToken(), (await newOrder()).order.id)).json<OrderBody>();
      for (const [order, to] of [
        [pending, 'shipped'],
        [pending, 'delivered'],
        [pending, 'pending'],
        [delivered, 'paid'],
        [delivered, 'cancelled'],
        [delivered, 'shipped'],
        [cancelled, 'paid'],
        [cancelled, 'pending'],
      ] as const) {
        const res = await api.setOrderStatus(api.adminToken, order.id, to, etag(order.version));
        const body = expectProblem(res, 409);
        expect(body, `${order.status} → ${to}`).toMatchObject({
          type: PROBLEM.invalidTransition,
          currentStatus: order.status,
        });
        expect(await api.orderById(order.id)).toEqual(order);
      }
    });

    it('a stale If-Match on a legal transition → 412 and nothing changes', async () => {
      const { order } = await newOrder();
      const paid = await api.advanceOrder(order, 'paid');
      const res = await api.setOrderStatus(api.adminToken, order.id, 'shipped', etag(order.version));
      expect(expectProblem(res, 412).type).toBe(PROBLEM.precondition);
      expect(await api.orderById(order.id)).toEqual(paid);
    });

    it('pending → cancelled by the admin returns the stock', async () => {
      const { order, product } = await newOrder();
      const res = await api.setOrderStatus(api.adminToken, order.id, 'cancelled', etag(order.version));
      expect(res.statusCode, res.body).toBe(200);
      expect(res.json()).toMatchObject({ status: 'cancelled', version: 2 });
      expect(await api.stockOf(product.id)).toBe(10);
    });

    it('a user (even the owner) → 403; an unknown status → 400; an unknown order → 404', async () => {
      const { order } = await newOrder();
      const ifMatch = etag(order.version);
      const forbidden = await api.setOrderStatus(aliceToken(), order.id, 'paid', ifMatch);
      expect(expectProblem(forbidden, 403).type).toBe(PROBLEM.forbidden);
      expectProblem(await api.setOrderStatus(bobToken(), order.id, 'paid', ifMatch), 403);
      expect(invalidFields(await api.setOrderStatus(api.adminToken, order.id, 'lost', ifMatch))).toEqual(['status']);
      expectProblem(await api.setOrderStatus(api.adminToken, randomUUID(), 'paid', ifMatch), 404);
      expect(await api.orderById(order.id)).toEqual(order);
    });
  });

  describe('Idempotency-Key on POST /v1/orders', () => {
    it('same key + same body → the first 201 replayed with Idempotent-Replayed; one order, stock taken once', async () => {
      const product = await api.createProduct({ stock: 10 });
      const key = uniqueKey();
      const payload = { items: [{ productId: product.id, quantity: 3 }] };
      const first = await api.postOrder(aliceToken(), payload, { key });
      expect(first.statusCode, first.body).toBe(201);
      expect(first.headers['idempotent-replayed']).toBeUndefined();

      for (let i = 0; i < 2; i++) {
        const again = await api.postOrder(aliceToken(), payload, { key });
        expect(again.statusCode).toBe(201);
        expect(again.headers['idempotent-replayed']).toBe('true');
        expect(again.json()).toEqual(first.json());
        expect(again.headers.location).toBe(first.headers.location);
        expect(again.headers.etag).toBe(first.headers.etag);
      }
      expect(await api.stockOf(product.id)).toBe(7);
      expect(await api.orderedUnits(product.id)).toEqual({ orders: 1, units: 3 });
      const mine = (await api.listAllOrders(aliceToken())).orders.filter((o) =>
        o.items.some((item) => item.productId === product.id),
      );
      expect(ids(mine)).toEqual([first.json<OrderBody>().id]);
    });

    it('same key + another body → 422; nothing more is reserved', async () => {
      const product = await api.createProduct({ stock: 10 });
      const key = uniqueKey();
      expect(
        (await api.postOrder(aliceToken(), { items: [{ productId: product.id, quantity: 1 }] }, { key })).statusCode,
      ).toBe(201);
      const res = await api.postOrder(aliceToken(), { items: [{ productId: product.id, quantity: 2 }] }, { key });
      expect(expectProblem(res, 422).type).toBe(PROBLEM.keyReused);
      expect(await api.stockOf(product.id)).toBe(9);
      expect(await api.orderedUnits(product.id)).toEqual({ orders: 1, units: 1 });
    });

    it('a 409 insufficient-stock outcome is the key’s result: replayed even once there is stock again', async () => {
      const product = await api.createProduct({ stock: 1 });
      const key = uniqueKey();
      const payload = { items: [{ productId: product.id, quantity: 2 }] };
      const first = await api.postOrder(aliceToken(), payload, { key });
      expect(expectProblem(first, 409)).toMatchObject({ type: PROBLEM.insufficientStock, sku: product.sku });

      await api.changeProduct(product.id, { stock: 50 });
      const replayed = await api.postOrder(aliceToken(), payload, { key });
      expectProblem(replayed, 409);
      expect(replayed.headers['idempotent-replayed']).toBe('true');
      expect(problemShape(replayed)).toEqual(problemShape(first));
      expect(await api.stockOf(product.id)).toBe(50);
      expect(await api.orderedUnits(product.id)).toEqual({ orders: 0, units: 0 });

      // Without the key (or with a new one) the same order now succeeds.
      expect((await api.postOrder(aliceToken(), payload, { key: uniqueKey() })).statusCode).toBe(201);
    });

    it('a 400 validation failure stores nothing: the fixed request with the same key runs', async () => {
      const product = await api.createProduct({ stock: 10 });
      const key = uniqueKey();
      const bad = await api.postOrder(aliceToken(), { items: [{ productId: product.id, quantity: 0 }] }, { key });
      expect(invalidFields(bad)).toEqual(['items[0].quantity']);
      const priced = await api.postOrder(
        aliceToken(),
        { items: [{ productId: product.id, quantity: 1, unitPriceCents: 1 }] },
        { key },
      );
      expect(invalidFields(priced)).toEqual(['items[0].unitPriceCents']);

      const fixed = await api.postOrder(aliceToken(), { items: [{ productId: product.id, quantity: 1 }] }, { key });
      expect(fixed.statusCode, fixed.body).toBe(201);
      expect(fixed.headers['idempotent-replayed']).toBeUndefined();
      expect(await api.stockOf(product.id)).toBe(9);
    });

    it('keys are per user: the same key and body from another user is another order', async () => {
      const product = await api.createProduct({ stock: 10 });
      const key = uniqueKey();
      const payload = { items: [{ productId: product.id, quantity: 1 }] };
      const fromAlice = await api.postOrder(aliceToken(), payload, { key });
      const fromBob = await api.postOrder(bobToken(), payload, { key });
      expect([fromAlice.statusCode, fromBob.statusCode]).toEqual([201, 201]);
      expect(fromBob.headers['idempotent-replayed']).toBeUndefined();
      expect(fromBob.json<OrderBody>()).toMatchObject({ userId: bob.id });
      expect(fromBob.json<OrderBody>().id).not.toBe(fromAlice.json<OrderBody>().id);
      expect(await api.stockOf(product.id)).toBe(8);
    });
  });
});
