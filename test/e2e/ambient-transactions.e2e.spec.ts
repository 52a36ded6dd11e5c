import { afterAll, beforeAll, expect, it } from 'vitest';
import { PrincipalStore } from '@app/auth';
import { CatalogStock } from '@app/catalog';
import { TransactionHost } from '@app/database';
import { OrderHistory } from '@app/orders';
import { adminEnv, type TestUser } from '../support/auth';
import { describeEachDatabase, type TestDatabase } from '../support/databases';
import { ShopApi } from '../support/shop';
import { bootTestApp, type TestApp } from '../support/test-app';

/**
 * A feature's transaction is joined by every other feature's public API it calls, with no executor passed along.
 * On the embedded default (PGlite, one connection) a neighbour's query made outside the transaction that holds the
 * connection used to wait for it forever; the short test timeout turns such a hang into a failure.
 */
describeEachDatabase('ambient transactions across features', (tier) => {
  let db: TestDatabase;
  let t: TestApp;
  let api: ShopApi;
  let host: TransactionHost;
  let alice: TestUser;

  beforeAll(async () => {
    db = await tier.create();
    t = await bootTestApp({ ...db.env, ...adminEnv() });
    api = await new ShopApi(t.app).init();
    host = t.app.get(TransactionHost);
    [alice] = await api.newUsers(1);
  });
  afterAll(async () => {
    await t?.close();
    await db?.cleanup();
  });

  /** Inside one transaction: users and orders read, the catalog writes; `fail` rolls it all back. */
  const crossFeatureWork = (productId: string, fail: boolean) =>
    host.withTransaction(async () => {
      const principal = await t.app.get(PrincipalStore).findPrincipal((alice as TestUser).id);
      const bought = await t.app.get(OrderHistory).hasPurchased((alice as TestUser).id, productId);
      const [line] = await t.app.get(CatalogStock).reserve([{ productId, quantity: 2 }]);
      // The write is visible inside the transaction that made it.
      const stockInside = await api.storedStockIn(host.tx, productId);
      if (fail) throw new Error('roll back');
      return { role: principal?.role, bought, sku: line?.sku, stockInside };
    });

  it('commits a neighbour write made inside another feature transaction', { timeout: 5000 }, async () => {
    const product = await api.createProduct({ stock: 10 });
    const order = await api.order(alice.tokens.accessToken, [{ productId: product.id, quantity: 1 }]);
    await api.advanceOrder(order, 'paid');

    const result = await crossFeatureWork(product.id, false);
    expect(result).toEqual({ role: 'user', bought: true, sku: product.sku, stockInside: 7 });
    expect(await api.storedStock(product.id)).toBe(7);
  });

  it('rolls the neighbour write back with the transaction', { timeout: 5000 }, async () => {
    const product = await api.createProduct({ stock: 10 });
    await expect(crossFeatureWork(product.id, true)).rejects.toThrow('roll back');
    expect(await api.storedStock(product.id)).toBe(10);
  });

  it('serves other requests while and after such transactions run', { timeout: 5000 }, async () => {
    const product = await api.createProduct({ stock: 10 });
    const [work, read] = await Promise.all([
      crossFeatureWork(product.id, false),
      api.getProductRaw(alice.tokens.accessToken, product.id),
    ]);
    expect(work.stockInside).toBe(8);
    expect(read.statusCode).toBe(200);
    expect(await api.storedStock(product.id)).toBe(8);
  });
});
