import { type SQL, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DatabaseClient, rowsOf } from '@app/database';
import { adminEnv, expectProblem, type Injected, type TestUser } from '../support/auth';
import { describeEachDatabase, type TestDatabase } from '../support/databases';
import { etag, type OrderBody, type OrderLine, PROBLEM, ShopApi, uniqueKey } from '../support/shop';
import { bootTestApp, type TestApp } from '../support/test-app';

const statusCounts = (responses: readonly Injected[]): Record<number, number> => {
  const counts: Record<number, number> = {};
  for (const res of responses) counts[res.statusCode] = (counts[res.statusCode] ?? 0) + 1;
  return counts;
};

/** Deterministic pseudo-random numbers (mulberry32), so a failure can be reproduced. */
function seeded(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let x = Math.imul(a ^ (a >>> 15), 1 | a);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

const PERMUTATIONS = [
  [0, 1, 2],
  [0, 2, 1],
  [1, 0, 2],
  [1, 2, 0],
  [2, 0, 1],
  [2, 1, 0],
] as const;

describeEachDatabase('orders under concurrency', (tier) => {
  let db: TestDatabase;
  let t: TestApp;
  let api: ShopApi;
  let shoppers: TestUser[];

  beforeAll(async () => {
    db = await tier.create();
    t = await bootTestApp({ ...db.env, ...adminEnv() });
    api = await new ShopApi(t.app).init();
    shoppers = await api.newUsers(5);
  });
  afterAll(async () => {
    await t?.close();
    await db?.cleanup();
  });

  const tokenOf = (i: number): string => (shoppers[i % shoppers.length] as TestUser).tokens.accessToken;

  it('100 concurrent orders of 1 for a stock of 10 (5 users): exactly 10 × 201, 90 × 409, stock 0', async () => {
    const product = await api.createProduct({ stock: 10 });
    const responses = await Promise.all(
      Array.from({ length: 100 }, (_, i) =>
        api.postOrder(tokenOf(i), { items: [{ productId: product.id, quantity: 1 }] }),
      ),
    );
    expect(statusCounts(responses)).toEqual({ 201: 10, 409: 90 });
    for (const res of responses.filter((r) => r.statusCode === 409)) {
      expect(expectProblem(res, 409)).toMatchObject({ type: PROBLEM.insufficientStock, sku: product.sku });
    }
    const created = responses.filter((r) => r.statusCode === 201).map((r) => r.json<OrderBody>());
    expect(new Set(created.map((o) => o.id)).size).toBe(10);
    expect(created.reduce((sum, o) => sum + (o.items[0]?.quantity ?? 0), 0)).toBe(10);

    expect(await api.stockOf(product.id)).toBe(0);
    expect(await api.storedStock(product.id)).toBe(0);
    // What the database holds agrees: ten orders, ten units, exactly the stock taken.
    expect(await api.orderedUnits(product.id)).toEqual({ orders: 10, units: 10 });
    // And the orders belong to the users who got the 201s.
    for (const order of created) expect((await api.orderById(order.id)).userId).toBe(order.userId);
  });

  it('concurrent multi-item orders over the same 3 products, listed in every order: no 500, no oversell', async () => {
    const initial = 30;
    const products = await api.createProducts([{ stock: initial }, { stock: initial }, { stock: initial }]);
    const random = seeded(20_240_611);
    const requests: OrderLine[][] = Array.from({ length: 60 }, (_, i) => {
      const permutation = PERMUTATIONS[i % PERMUTATIONS.length] as readonly number[];
      // Every fifth order skips one product, so not every order locks the same set.
      const chosen = i % 5 === 4 ? permutation.slice(0, 2) : permutation;
      return chosen.map((index) => ({
        productId: (products[index] as { id: string }).id,
        quantity: 1 + Math.floor(random() * 3),
      }));
    });
    const responses = await Promise.all(requests.map((items, i) => api.postOrder(tokenOf(i), { items })));

    const counts = statusCounts(responses);
    expect(Object.keys(counts).sort(), JSON.stringify(counts)).toEqual(['201', '409']);
    const skus = new Set(products.map((p) => p.sku));
    for (const res of responses.filter((r) => r.statusCode === 409)) {
      const body = expectProblem(res, 409) as unknown as { type: string; sku: string };
      expect(body.type).toBe(PROBLEM.insufficientStock);
      expect(skus.has(body.sku)).toBe(true);
    }

    const taken = new Map(products.map((p) => [p.id, 0]));
    responses.forEach((res, i) => {
      if (res.statusCode !== 201) return;
      const order = res.json<OrderBody>();
      // The order is exactly what was asked for, line by line, in the request's order.
      expect(order.items.map((item) => [item.productId, item.quantity])).toEqual(
        (requests[i] as OrderLine[]).map((line) => [line.productId, line.quantity]),
      );
      for (const item of order.items) taken.set(item.productId, (taken.get(item.productId) ?? 0) + item.quantity);
    });
    for (const product of products) {
      const stock = await api.stockOf(product.id);
      expect(stock).toBeGreaterThanOrEqual(0);
      expect(initial - stock, product.sku).toBe(taken.get(product.id));
      expect((await api.orderedUnits(product.id)).units).toBe(taken.get(product.id));
    }
  });

  it('two concurrent cancels of one order: one 200, one 409, the stock returned exactly once', async () => {
    const products = await api.createProducts(Array.from({ length: 5 }, () => ({ stock: 5 })));
    const orders = await Promise.all(products.map((p, i) => api.order(tokenOf(i), [{ productId: p.id, quantity: 3 }])));
    expect(await api.stocksOf(products.map((p) => p.id))).toEqual([2, 2, 2, 2, 2]);

    // Five races at once: the owner against the owner, or the owner against the admin.
    const races = await Promise.all(
      orders.map((order, i) =>
        Promise.all([
          api.cancelOrder(tokenOf(i), order.id),
          api.cancelOrder(i % 2 === 0 ? tokenOf(i) : api.adminToken, order.id),
        ]),
      ),
    );
    for (const pair of races) {
      expect(pair.map((r) => r.statusCode).sort()).toEqual([200, 409]);
      const loser = pair.find((r) => r.statusCode === 409) as Injected;
      expect(expectProblem(loser, 409)).toMatchObject({
        type: PROBLEM.invalidTransition,
        currentStatus: 'cancelled',
      });
    }
    expect(await api.stocksOf(products.map((p) => p.id))).toEqual([5, 5, 5, 5, 5]);
    for (const order of orders)
      expect(await api.orderById(order.id)).toMatchObject({ status: 'cancelled', version: 2 });
  });

  it('a cancel racing the admin shipping a paid order: exactly one wins, the stock follows the winner', async () => {
    const product = await api.createProduct({ stock: 10 });
    const placed = await Promise.all(
      Array.from({ length: 4 }, (_, i) => api.order(tokenOf(i), [{ productId: product.id, quantity: 1 }])),
    );
    const paid = await Promise.all(placed.map((order) => api.advanceOrder(order, 'paid')));
    const races = await Promise.all(
      paid.map((order, i) =>
        Promise.all([
          api.cancelOrder(tokenOf(i), order.id),
          api.setOrderStatus(api.adminToken, order.id, 'shipped', etag(order.version)),
        ]),
      ),
    );
    let cancelled = 0;
    for (const [cancel, ship] of races) {
      const outcome = `cancel ${cancel.statusCode}, ship ${ship.statusCode}`;
      // The cancel carries no If-Match: losing, it finds the order shipped (409). The shipment carries
      // the paid version's ETag: losing, it finds a newer version (412).
      expect(['cancel 200, ship 412', 'cancel 409, ship 200']).toContain(outcome);
      if (cancel.statusCode === 200) {
        cancelled++;
        expect(expectProblem(ship, 412).type).toBe(PROBLEM.precondition);
      } else {
        expect(expectProblem(cancel, 409)).toMatchObject({ type: PROBLEM.invalidTransition, currentStatus: 'shipped' });
      }
    }
    expect(await api.stockOf(product.id)).toBe(10 - 4 + cancelled);
  });

  it('optimistic concurrency: 10 concurrent writes with the same If-Match → one 200, nine 412', async () => {
    const product = await api.createProduct({ priceCents: 1000, stock: 10 });
    const patches = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        api.patchProduct(api.adminToken, product.id, { priceCents: 2000 + i }, etag(product.version)),
      ),
    );
    expect(statusCounts(patches)).toEqual({ 200: 1, 412: 9 });
    const winner = (patches.find((r) => r.statusCode === 200) as Injected).json<{ priceCents: number }>();
    expect(await api.product(product.id)).toMatchObject({
      priceCents: winner.priceCents,
      version: product.version + 1,
    });

    const order = await api.order(tokenOf(0), [{ productId: product.id, quantity: 1 }]);
    const moves = await Promise.all(
      (['paid', 'paid', 'cancelled', 'paid', 'cancelled'] as const).map((status) =>
        api.setOrderStatus(api.adminToken, order.id, status, etag(order.version)),
      ),
    );
    expect(statusCounts(moves)).toEqual({ 200: 1, 412: 4 });
    const moved = await api.orderById(order.id);
    expect(moved.version).toBe(order.version + 1);
    expect(await api.stockOf(product.id)).toBe(moved.status === 'cancelled' ? 10 : 9);
  });

  it('20 concurrent POST /orders with one Idempotency-Key: exactly one order; the others 409 in flight or the replay', async () => {
    const product = await api.createProduct({ stock: 50 });
    const key = uniqueKey();
    const payload = { items: [{ productId: product.id, quantity: 2 }] };
    const responses = await Promise.all(Array.from({ length: 20 }, () => api.postOrder(tokenOf(0), payload, { key })));

    const originals = responses.filter((r) => r.statusCode === 201 && r.headers['idempotent-replayed'] === undefined);
    expect(originals, JSON.stringify(statusCounts(responses))).toHaveLength(1);
    const original = originals[0] as Injected;
    for (const res of responses) {
      if (res === original) continue;
      if (res.statusCode === 409) {
        expect(expectProblem(res, 409).type).toBe(PROBLEM.keyInUse);
        expect(res.headers['retry-after']).toBe('1');
      } else {
        expect(res.statusCode, res.body).toBe(201);
        expect(res.headers['idempotent-replayed']).toBe('true');
        expect(res.json()).toEqual(original.json());
      }
    }
    expect(await api.stockOf(product.id)).toBe(48);
    expect(await api.orderedUnits(product.id)).toEqual({ orders: 1, units: 2 });

    const after = await api.postOrder(tokenOf(0), payload, { key });
    expect(after.headers['idempotent-replayed']).toBe('true');
    expect(after.json()).toEqual(original.json());
    expect(await api.orderedUnits(product.id)).toEqual({ orders: 1, units: 2 });
  });

  describe('indexes back every list query (EXPLAIN)', () => {
    /** The plan of `query`, with the plan kinds in `disable` switched off for this transaction only. */
    const plan = (query: SQL, disable: ReadonlyArray<'seqscan' | 'bitmapscan' | 'sort'>): Promise<string> =>
      t.app.get(DatabaseClient).db.transaction(async (tx) => {
        for (const kind of disable) await tx.execute(sql.raw(`set local enable_${kind} = off`));
        const rows = rowsOf<{ 'QUERY PLAN': string }>(await tx.execute(sql`explain ${query}`));
        return rows.map((row) => row['QUERY PLAN']).join('\n');
      });

    const ORDER = sql`order by created_at desc, id desc limit 21`;
    /** The repositories' shapes: `where <filter> [and <after the cursor>] order by created_at desc, id desc limit n + 1`. */
    const listQueries = (userId: string): Array<{ name: string; filtered: boolean; indexes: RegExp; query: SQL }> => {
      const at = new Date();
      const lastId = '00000000-0000-4000-8000-000000000000';
      const after = sql`(created_at < ${at} or (created_at = ${at} and id < ${lastId}))`;
      return [
        {
          name: "a user's orders",
          filtered: true,
          indexes: /orders_user_created_id_idx/,
          query: sql`select * from orders where user_id = ${userId} ${ORDER}`,
        },
        {
          name: "a user's orders, a later page",
          filtered: true,
          indexes: /orders_user_created_id_idx/,
          query: sql`select * from orders where user_id = ${userId} and ${after} ${ORDER}`,
        },
        {
          name: "a user's orders by status",
          filtered: true,
          indexes: /orders_(user|status)_created_id_idx/,
          query: sql`select * from orders where user_id = ${userId} and status = 'paid' ${ORDER}`,
        },
        {
          name: 'all orders (admin)',
          filtered: false,
          indexes: /orders_created_id_idx/,
          query: sql`select * from orders ${ORDER}`,
        },
        {
          name: 'all orders, a later page (admin)',
          filtered: false,
          indexes: /orders_created_id_idx/,
          query: sql`select * from orders where ${after} ${ORDER}`,
        },
        {
          name: 'orders by status (admin)',
          filtered: true,
          indexes: /orders_status_created_id_idx/,
          query: sql`select * from orders where status = 'paid' ${ORDER}`,
        },
        {
          name: 'products',
          filtered: false,
          indexes: /products_created_id_idx/,
          query: sql`select * from products ${ORDER}`,
        },
        {
          name: 'products, a later page',
          filtered: false,
          indexes: /products_created_id_idx/,
          query: sql`select * from products where ${after} ${ORDER}`,
        },
        {
          name: 'products by active',
          filtered: true,
          indexes: /products_active_created_id_idx/,
          query: sql`select * from products where active = true ${ORDER}`,
        },
      ];
    };

    it('the filtered lists find their rows through their index (sequential scans off)', async () => {
      const filtered = listQueries((shoppers[0] as TestUser).id).filter((q) => q.filtered);
      expect(filtered).toHaveLength(5);
      for (const { name, indexes, query } of filtered) {
        const text = await plan(query, ['seqscan']);
        expect(text, `${name}:\n${text}`).toMatch(indexes);
      }
    });

    it('the index also yields the list order: an ordered Index Scan, no Sort, on every list and page', async () => {
      // With sequential scans, bitmap scans and sorts all off, a Sort node still appears when no index can
      // deliver (created_at desc, id desc): then every page reads and sorts all matching rows.
      const failures: string[] = [];
      for (const { name, indexes, query } of listQueries((shoppers[0] as TestUser).id)) {
        const text = await plan(query, ['seqscan', 'bitmapscan', 'sort']);
        const scan = new RegExp(`Index (Only )?Scan( Backward)? using ${indexes.source}`);
        if (!scan.test(text) || /\bSort\b|Seq Scan/.test(text)) failures.push(`${name}:\n${text}`);
      }
      expect(failures, failures.join('\n\n')).toEqual([]);
    });
  });
});
