import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { OrderHistory } from '@app/orders';
import { TransactionHost } from '@app/database';
import { adminEnv, type TestUser } from '../support/auth';
import { describeEachDatabase, type TestDatabase } from '../support/databases';
import { etag, type OrderBody, ShopApi } from '../support/shop';
import { bootTestApp, type TestApp } from '../support/test-app';

/**
 * `OrderHistory`, the query orders export to their neighbours (the coming reviews): has this user bought this
 * product? Orders are made and moved through the real routes; the answer is read from the exported provider.
 */
describeEachDatabase('OrderHistory.hasPurchased', (tier) => {
  let db: TestDatabase;
  let t: TestApp;
  let api: ShopApi;
  let history: OrderHistory;
  let alice: TestUser;
  let bob: TestUser;

  beforeAll(async () => {
    db = await tier.create();
    t = await bootTestApp({ ...db.env, ...adminEnv() });
    api = await new ShopApi(t.app).init();
    history = t.app.get(OrderHistory);
    [alice, bob] = await api.newUsers(2);
  });
  afterAll(async () => {
    await t?.close();
    await db?.cleanup();
  });

  const bought = (user: TestUser, productId: string): Promise<boolean> => history.hasPurchased(user.id, productId);

  it('false for a product nobody ordered, and for unknown users and products', async () => {
    const product = await api.createProduct();
    expect(await bought(alice, product.id)).toBe(false);
    expect(await history.hasPurchased(randomUUID(), product.id)).toBe(false);
    expect(await bought(alice, randomUUID())).toBe(false);
  });

  it('false while the order is pending; true once paid, shipped and delivered', async () => {
    const [lamp, bulb] = await api.createProducts([{}, {}]);
    let order = await api.order(alice.tokens.accessToken, [
      { productId: lamp.id, quantity: 1 },
      { productId: bulb.id, quantity: 2 },
    ]);
    expect(await bought(alice, lamp.id)).toBe(false);
    for (const status of ['paid', 'shipped', 'delivered'] as const) {
      order = await api.advanceOrder(order, status);
      expect(order.status).toBe(status);
      expect(await bought(alice, lamp.id), status).toBe(true);
      expect(await bought(alice, bulb.id), status).toBe(true);
    }
  });

  it('false for a cancelled order, whether cancelled while pending or after payment', async () => {
    const [early, late] = await api.createProducts([{}, {}]);
    const pending = await api.order(alice.tokens.accessToken, [{ productId: early.id, quantity: 1 }]);
    const cancelled = await api.cancelOrder(alice.tokens.accessToken, pending.id, etag(pending.version));
    expect(cancelled.statusCode, cancelled.body).toBe(200);
    expect(await bought(alice, early.id)).toBe(false);

    const paid = await api.advanceOrder(
      await api.order(alice.tokens.accessToken, [{ productId: late.id, quantity: 1 }]),
      'paid',
    );
    expect(await bought(alice, late.id)).toBe(true);
    const res = await api.cancelOrder(alice.tokens.accessToken, paid.id, etag(paid.version));
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json<OrderBody>().status).toBe('cancelled');
    expect(await bought(alice, late.id)).toBe(false);
  });

  it("false for another user's order: ownership is part of the query", async () => {
    const product = await api.createProduct();
    const order = await api.order(bob.tokens.accessToken, [{ productId: product.id, quantity: 1 }]);
    await api.advanceOrder(order, 'paid', 'shipped', 'delivered');
    expect(await bought(bob, product.id)).toBe(true);
    expect(await bought(alice, product.id)).toBe(false);
  });

  it('one paid order is enough, whatever else the user has', async () => {
    const product = await api.createProduct();
    const first = await api.order(alice.tokens.accessToken, [{ productId: product.id, quantity: 1 }]);
    expect((await api.cancelOrder(alice.tokens.accessToken, first.id)).statusCode).toBe(200);
    await api.order(alice.tokens.accessToken, [{ productId: product.id, quantity: 1 }]);
    expect(await bought(alice, product.id)).toBe(false);
    const third = await api.order(alice.tokens.accessToken, [{ productId: product.id, quantity: 1 }]);
    await api.advanceOrder(third, 'paid');
    expect(await bought(alice, product.id)).toBe(true);
  });

  it("reads inside the caller's ambient transaction", async () => {
    const product = await api.createProduct();
    const order = await api.order(alice.tokens.accessToken, [{ productId: product.id, quantity: 1 }]);
    await api.advanceOrder(order, 'paid');
    const inside = await t.app.get(TransactionHost).withTransaction(() => history.hasPurchased(alice.id, product.id));
    expect(inside).toBe(true);
  });
});
