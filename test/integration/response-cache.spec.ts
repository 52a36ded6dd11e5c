import { randomUUID } from 'node:crypto';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisConnection } from '@app/redis';
import { adminEnv, authHeader, expectProblem, expectUnauthorized, type Injected, type TestUser } from '../support/auth';
import { pgliteTier, postgresTier, type TestDatabase } from '../support/databases';
import { createTestRedis, redisSkipReason, type TestRedis, unreachableRedisEnv } from '../support/redis';
import { etag, type OrderBody, type PageBody, PROBLEM, type ProductBody, ShopApi, uniqueTag } from '../support/shop';
import { bootTestApp, type TestApp } from '../support/test-app';

/**
 * The response cache (`@CacheFor` / `@InvalidatesCache`) through the real app: hits and misses (Cache-Status, /metrics),
 * ETags and 304 on hits, no stale read after a write (here or on another replica), caller-scoped answers never crossing
 * callers, guards before the cache, only 200s stored, and a Redis that is down only costing the cache.
 */

const HIT = 'nest-api; hit';
const MISS = 'nest-api; fwd=miss';
const UNAVAILABLE = 'nest-api; fwd=miss; detail=unavailable';

const cacheStatus = (res: Injected): unknown => res.headers['cache-status'];

/** Expects a 200 with this Cache-Status; returns the parsed body. */
function expect200<T>(res: Injected, status: string): T {
  expect(res.statusCode, res.body).toBe(200);
  expect(cacheStatus(res), `${res.statusCode} ${res.body}`).toBe(status);
  return res.json<T>();
}

interface CacheCounters {
  hits: number;
  misses: number;
}

/** `cache_hits_total` and `cache_misses_total` of one route template, read from `GET /metrics`. */
async function cacheCounters(app: NestFastifyApplication, route: string): Promise<CacheCounters> {
  const res = await app.inject({ method: 'GET', url: '/metrics' });
  expect(res.statusCode, res.body).toBe(200);
  const read = (name: string): number => {
    const escaped = route.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    const match = new RegExp(`^${name}\\{route="${escaped}"\\} (\\d+)$`, 'm').exec(res.body);
    return match ? Number(match[1]) : 0;
  };
  return { hits: read('cache_hits_total'), misses: read('cache_misses_total') };
}

/** How the counters moved between two readings. */
const moved = (before: CacheCounters, after: CacheCounters): CacheCounters => ({
  hits: after.hits - before.hits,
  misses: after.misses - before.misses,
});

interface Backend {
  name: 'memory' | 'redis';
  skipReason: string | undefined;
  /** The Redis namespace the app gets (undefined: no REDIS_URL, the in-process LRU). */
  redis(): TestRedis | undefined;
}

const backends: readonly Backend[] = [
  { name: 'memory', skipReason: undefined, redis: () => undefined },
  { name: 'redis', skipReason: redisSkipReason, redis: () => createTestRedis() },
];

for (const backend of backends) {
  const title = `response cache [${backend.name}]`;
  describe.skipIf(backend.skipReason !== undefined)(
    backend.skipReason === undefined ? title : `${title} (skipped: ${backend.skipReason})`,
    () => {
      let db: TestDatabase;
      let redis: TestRedis | undefined;
      let t: TestApp;
      let api: ShopApi;
      let alice: TestUser;
      let bob: TestUser;

      beforeAll(async () => {
        db = await pgliteTier.create();
        redis = backend.redis();
        t = await bootTestApp({ ...db.env, ...adminEnv(), ...redis?.env });
        api = await new ShopApi(t.app).init();
        [alice, bob] = await api.newUsers(2);
      });
      afterAll(async () => {
        await t?.close();
        await redis?.cleanup();
        await db?.cleanup();
      });

      const aliceToken = (): string => alice.tokens.accessToken;
      const bobToken = (): string => bob.tokens.accessToken;
      const getProduct = (id: string, headers: Record<string, string> = {}): Promise<Injected> =>
        api.getProductRaw(aliceToken(), id, headers);

      it('GET /v1/products/:id: a miss, then a hit with the same body and ETag; the metrics count both', async () => {
        const product = await api.createProduct();
        const before = await cacheCounters(t.app, '/v1/products/:id');

        const first = await getProduct(product.id);
        expect(expect200<ProductBody>(first, MISS)).toEqual(product);
        expect(first.headers.etag).toBe(etag(product.version));
        expect(moved(before, await cacheCounters(t.app, '/v1/products/:id'))).toEqual({ hits: 0, misses: 1 });

        const second = await getProduct(product.id);
        expect(expect200<ProductBody>(second, HIT)).toEqual(product);
        expect(second.body).toBe(first.body);
        expect(second.headers['content-type']).toBe(first.headers['content-type']);
        expect(second.headers.etag).toBe(first.headers.etag);
        // Another caller is served the same shared entry.
        expect(expect200<ProductBody>(await api.getProductRaw(bobToken(), product.id), HIT)).toEqual(product);
        expect(moved(before, await cacheCounters(t.app, '/v1/products/:id'))).toEqual({ hits: 2, misses: 1 });

        // If-None-Match with the ETag of the miss, answered from the cache: 304 and no body.
        const notModified = await getProduct(product.id, { 'if-none-match': String(first.headers.etag) });
        expect(notModified.statusCode).toBe(304);
        expect(notModified.body).toBe('');
        expect(cacheStatus(notModified)).toBe(HIT);
        expect(notModified.headers.etag).toBe(first.headers.etag);
        // A tag that does not match still gets the full answer from the cache.
        const other = await getProduct(product.id, { 'if-none-match': '"v999"' });
        expect(expect200<ProductBody>(other, HIT)).toEqual(product);
        expect(moved(before, await cacheCounters(t.app, '/v1/products/:id'))).toEqual({ hits: 4, misses: 1 });
      });

      it('GET /v1/products (list, per query string): a miss, then a hit with the same body', async () => {
        const tag = uniqueTag();
        const products = await api.createProducts([{ name: `Cached ${tag} A` }, { name: `Cached ${tag} B` }]);
        const before = await cacheCounters(t.app, '/v1/products');

        const first = await api.listProductsRaw(aliceToken(), `?q=${tag}`);
        const page = expect200<PageBody<ProductBody>>(first, MISS);
        expect(page.data.map((p) => p.id).sort()).toEqual(products.map((p) => p.id).sort());
        const second = await api.listProductsRaw(bobToken(), `?q=${tag}`);
        expect(expect200<PageBody<ProductBody>>(second, HIT)).toEqual(page);
        expect(second.body).toBe(first.body);
        // Another query string is another entry.
        expect200(await api.listProductsRaw(aliceToken(), `?q=${tag}&limit=1`), MISS);
        expect(moved(before, await cacheCounters(t.app, '/v1/products'))).toEqual({ hits: 1, misses: 2 });
      });

      it('after PATCH (If-Match) the next GETs miss and show the new data; the old ETag no longer gives 304', async () => {
        const product = await api.createProduct({ priceCents: 1000 });
        const oldTag = etag(product.version);
        const listQuery = `?q=${product.sku}`;
        expect200(await getProduct(product.id), MISS);
        expect200(await getProduct(product.id), HIT);
        expect200(await api.listProductsRaw(aliceToken(), listQuery), MISS);
        expect200(await api.listProductsRaw(aliceToken(), listQuery), HIT);

        const patched = await api.patchProduct(
          api.adminToken,
          product.id,
          { name: 'Renamed', priceCents: 1500 },
          oldTag,
        );
        expect(patched.statusCode, patched.body).toBe(200);
        const updated = patched.json<ProductBody>();
        expect(updated).toMatchObject({ name: 'Renamed', priceCents: 1500, version: product.version + 1 });

        const fresh = await getProduct(product.id);
        expect(expect200<ProductBody>(fresh, MISS)).toEqual(updated);
        expect(fresh.headers.etag).toBe(etag(updated.version));
        const stale = await getProduct(product.id, { 'if-none-match': oldTag });
        expect(expect200<ProductBody>(stale, HIT)).toEqual(updated);
        expect(stale.headers.etag).toBe(etag(updated.version));
        expect(expect200<PageBody<ProductBody>>(await api.listProductsRaw(aliceToken(), listQuery), MISS).data).toEqual(
          [updated],
        );
      });

      it('orders change cached stock: create, admin status change and cancel are seen at once', async () => {
        const product = await api.createProduct({ stock: 10 });
        const listQuery = `?q=${product.sku}`;
        const stockById = async (status: string): Promise<number> =>
          expect200<ProductBody>(await getProduct(product.id), status).stock;
        const stockInList = async (status: string): Promise<number | undefined> =>
          expect200<PageBody<ProductBody>>(await api.listProductsRaw(aliceToken(), listQuery), status).data[0]?.stock;

        expect(await stockById(MISS)).toBe(10);
        expect(await stockById(HIT)).toBe(10);
        expect(await stockInList(MISS)).toBe(10);
        expect(await stockInList(HIT)).toBe(10);

        const order = await api.order(bobToken(), [{ productId: product.id, quantity: 3 }]);
        expect(await stockById(MISS)).toBe(7);
        expect(await stockInList(MISS)).toBe(7);

        // The owner's cached order follows an admin's status change.
        expect(expect200<OrderBody>(await api.getOrderRaw(bobToken(), order.id), MISS).status).toBe('pending');
        expect(expect200<OrderBody>(await api.getOrderRaw(bobToken(), order.id), HIT).status).toBe('pending');
        const paid = await api.advanceOrder(order, 'paid');
        const afterPaid = await api.getOrderRaw(bobToken(), order.id);
        expect(expect200<OrderBody>(afterPaid, MISS)).toEqual(paid);
        expect(afterPaid.headers.etag).toBe(etag(paid.version));

        expect(await stockById(MISS)).toBe(7);
        expect(await stockById(HIT)).toBe(7);
        const cancelled = await api.cancelOrder(bobToken(), order.id, etag(paid.version));
        expect(cancelled.statusCode, cancelled.body).toBe(200);
        expect(await stockById(MISS)).toBe(10);
        expect(await stockInList(MISS)).toBe(10);
        expect(expect200<OrderBody>(await api.getOrderRaw(bobToken(), order.id), MISS).status).toBe('cancelled');
      });

      it("caller scope: one user's cached orders are never served to another", async () => {
        const [carol, dave] = await api.newUsers(2, 'Cache Scope');
        const carolToken = carol.tokens.accessToken;
        const daveToken = dave.tokens.accessToken;
        const product = await api.createProduct({ stock: 10 });
        const order = await api.order(carolToken, [{ productId: product.id, quantity: 1 }]);
        const before = await cacheCounters(t.app, '/v1/orders');

        const carolList = expect200<PageBody<OrderBody>>(await api.listOrdersRaw(carolToken), MISS);
        expect(carolList.data.map((o) => o.id)).toEqual([order.id]);
        expect(expect200<PageBody<OrderBody>>(await api.listOrdersRaw(carolToken), HIT)).toEqual(carolList);

        // Same URL, another caller: computed for Dave (his empty list), then cached for him alone.
        expect(expect200<PageBody<OrderBody>>(await api.listOrdersRaw(daveToken), MISS)).toEqual({
          data: [],
          nextCursor: null,
        });
        expect(expect200<PageBody<OrderBody>>(await api.listOrdersRaw(daveToken), HIT).data).toEqual([]);
        expect(expect200<PageBody<OrderBody>>(await api.listOrdersRaw(carolToken), HIT)).toEqual(carolList);
        expect(moved(before, await cacheCounters(t.app, '/v1/orders'))).toEqual({ hits: 3, misses: 2 });

        // Carol's order by id, cached for her, is still 404 for Dave (each time), and 200 for the admin.
        const own = await api.getOrderRaw(carolToken, order.id);
        expect(expect200<OrderBody>(own, MISS)).toEqual(order);
        expect(expect200<OrderBody>(await api.getOrderRaw(carolToken, order.id), HIT)).toEqual(order);
        for (let i = 0; i < 2; i++) {
          const foreign = await api.getOrderRaw(daveToken, order.id);
          expect(expectProblem(foreign, 404).type).toBe(PROBLEM.notFound);
          expect(cacheStatus(foreign)).toBe(MISS);
          expect(foreign.body).not.toContain(carol.id);
        }
        expect(expect200<OrderBody>(await api.getOrderRaw(api.adminToken, order.id), MISS)).toEqual(order);

        // Dave's own order drops Dave's cached answers only: his list is recomputed, Carol's is still hers.
        const daveOrder = await api.order(daveToken, [{ productId: product.id, quantity: 1 }]);
        const daveList = expect200<PageBody<OrderBody>>(await api.listOrdersRaw(daveToken), MISS);
        expect(daveList.data.map((o) => o.id)).toEqual([daveOrder.id]);
        expect(expect200<PageBody<OrderBody>>(await api.listOrdersRaw(carolToken), HIT)).toEqual(carolList);
      });

      it('a write drops only what it changed: that order, its owner’s lists, the admins’ views, the products whose stock moved', async () => {
        const [moved, untouched] = await api.createProducts([{ stock: 50 }, { stock: 50 }]);
        const adminToken = api.adminToken;
        // Warm: Alice's and the admin's order lists, both product pages.
        expect200(await api.listOrdersRaw(aliceToken()), MISS);
        expect200(await api.listOrdersRaw(adminToken), MISS);
        expect200(await getProduct(moved.id), MISS);
        expect200(await getProduct(untouched.id), MISS);

        // Bob orders one of the products.
        const order = await api.order(bobToken(), [{ productId: moved.id, quantity: 2 }]);

        // Still cached: Alice's own orders (Bob's order is not hers) and the product whose stock did not move.
        expect200(await api.listOrdersRaw(aliceToken()), HIT);
        expect200(await getProduct(untouched.id), HIT);
        // Dropped: the admin's view (it lists Bob's order now) and the product page (its stock moved).
        const adminView = expect200<PageBody<OrderBody>>(await api.listOrdersRaw(adminToken), MISS);
        expect(adminView.data.map((o) => o.id)).toContain(order.id);
        expect(expect200<ProductBody>(await getProduct(moved.id), MISS).stock).toBe(48);

        // Bob's next order drops his lists, not the page of the order he already had (it did not change).
        expect200(await api.getOrderRaw(bobToken(), order.id), MISS);
        expect200(await api.listOrdersRaw(bobToken()), MISS);
        const second = await api.order(bobToken(), [{ productId: untouched.id, quantity: 1 }]);
        expect200(await api.getOrderRaw(bobToken(), order.id), HIT);
        expect(expect200<PageBody<OrderBody>>(await api.listOrdersRaw(bobToken()), MISS).data[0]?.id).toBe(second.id);
        expect200(await api.listOrdersRaw(bobToken()), HIT);

        // The admin changes Bob's first order: that order's page and Bob's lists go, Alice's stay.
        await api.advanceOrder(order, 'paid');
        expect(expect200<OrderBody>(await api.getOrderRaw(bobToken(), order.id), MISS).status).toBe('paid');
        expect(expect200<PageBody<OrderBody>>(await api.listOrdersRaw(bobToken()), MISS).data[1]).toMatchObject({
          id: order.id,
          status: 'paid',
        });
        expect200(await api.listOrdersRaw(aliceToken()), HIT);
      });

      it('guards run before the cache: without a valid token, or once disabled, a cached answer → 401', async () => {
        const product = await api.createProduct();
        const [erin] = await api.newUsers(1, 'Disabled Later');
        const erinToken = erin.tokens.accessToken;
        expect200(await api.getProductRaw(erinToken, product.id), MISS);
        expect200(await api.getProductRaw(erinToken, product.id), HIT);
        expect200(await api.listProductsRaw(erinToken), MISS);
        expect200(await api.listProductsRaw(erinToken), HIT);

        for (const headers of [{}, authHeader('not.a-valid.token'), authHeader(`${erinToken}x`)]) {
          for (const url of [`/v1/products/${product.id}`, '/v1/products']) {
            const res = await api.inject({ method: 'GET', url, headers });
            expectUnauthorized(res);
            expect(cacheStatus(res)).toBeUndefined();
            expect(res.body).not.toContain(product.sku);
          }
        }
        expectUnauthorized(await api.inject({ method: 'GET', url: '/v1/orders' }));

        const disabled = await api.patchUser(api.adminToken, erin.id, { disabled: true });
        expect(disabled.statusCode, disabled.body).toBe(200);
        const res = await api.getProductRaw(erinToken, product.id);
        expectUnauthorized(res);
        expect(cacheStatus(res)).toBeUndefined();
        // Still cached for everyone else.
        expect200(await getProduct(product.id), HIT);
      });

      it('only 200s are stored: an unknown id is a miss (and 404) each time; a 400 too', async () => {
        const unknown = randomUUID();
        const before = await cacheCounters(t.app, '/v1/products/:id');
        for (let i = 0; i < 2; i++) {
          const res = await getProduct(unknown);
          expect(expectProblem(res, 404).type).toBe(PROBLEM.notFound);
          expect(cacheStatus(res)).toBe(MISS);
        }
        expect(moved(before, await cacheCounters(t.app, '/v1/products/:id'))).toEqual({ hits: 0, misses: 2 });

        for (let i = 0; i < 2; i++) {
          const res = await api.listProductsRaw(aliceToken(), '?limit=0');
          expectProblem(res, 400);
          expect(cacheStatus(res)).toBe(MISS);
        }
        // A 304 answered on a miss is not stored either: the next plain GET is a miss with the body.
        const product = await api.createProduct();
        const conditional = await getProduct(product.id, { 'if-none-match': etag(product.version) });
        expect(conditional.statusCode).toBe(304);
        expect(cacheStatus(conditional)).toBe(MISS);
        expect(expect200<ProductBody>(await getProduct(product.id), MISS)).toEqual(product);
        expect(expect200<ProductBody>(await getProduct(product.id), HIT)).toEqual(product);
      });

      if (backend.name === 'memory') {
        it('readiness reports no Redis check when REDIS_URL is unset', async () => {
          const res = await t.app.inject({ method: 'GET', url: '/health/ready' });
          expect(res.statusCode, res.body).toBe(200);
          expect(res.json<{ details: Record<string, unknown> }>().details.redis).toBeUndefined();
        });
      }

      if (backend.name === 'redis') {
        it('the app writes its entries and tag versions under REDIS_KEY_PREFIX, with the route TTL', async () => {
          const product = await api.createProduct();
          expect200(await getProduct(product.id), MISS);
          // Alice's list may be cached already by an earlier test (only her own orders drop it).
          expect((await api.listOrdersRaw(aliceToken())).statusCode).toBe(200);
          // The entry is stored after the answer left: wait until it is readable.
          await expect.poll(async () => cacheStatus(await getProduct(product.id))).toBe(HIT);
          await expect.poll(async () => cacheStatus(await api.listOrdersRaw(aliceToken()))).toBe(HIT);

          const prefix = redis!.env.REDIS_KEY_PREFIX;
          const keys = await redis!.keys();
          expect(keys.every((key) => key.startsWith(prefix))).toBe(true);
          const productTag = `${prefix}cache:tag:product:${product.id}`;
          expect(keys).toEqual(expect.arrayContaining([productTag, `${prefix}cache:tag:orders:user:${alice.id}`]));
          const entries = keys.filter((key) => key.startsWith(`${prefix}cache:entry:`));
          expect(entries.length).toBeGreaterThanOrEqual(2);

          // Entries expire by their route's TTL (30 s products, 10 s orders); tag versions outlive them.
          const client = t.app.get(RedisConnection).client!;
          const ttls = await Promise.all(entries.map((key) => client.pTTL(key)));
          for (const ttl of ttls) {
            expect(ttl).toBeGreaterThan(0);
            expect(ttl).toBeLessThanOrEqual(30_000);
          }
          expect(ttls.some((ttl) => ttl <= 10_000)).toBe(true);
          expect(await client.pTTL(productTag)).toBeGreaterThan(3_600_000);
        });
      }
    },
  );
}

/**
 * Two replicas sharing REDIS_KEY_PREFIX and one database: one cache. Sharing a database takes PostgreSQL (a PGlite
 * directory belongs to one instance).
 */
const replicasSkipReason = redisSkipReason ?? postgresTier.skipReason;
describe.skipIf(replicasSkipReason !== undefined)(
  `response cache across two replicas [redis, postgres]${replicasSkipReason === undefined ? '' : ` (skipped: ${replicasSkipReason})`}`,
  () => {
    let db: TestDatabase;
    let redis: TestRedis;
    let one: TestApp;
    let two: TestApp;
    let api1: ShopApi;
    let api2: ShopApi;
    let user: TestUser;

    beforeAll(async () => {
      db = await postgresTier.create();
      redis = createTestRedis();
      // One after the other: the first migrates the new database and creates the admin.
      one = await bootTestApp({ ...db.env, ...redis.env, ...adminEnv() });
      two = await bootTestApp({ ...db.env, ...redis.env, ...adminEnv() });
      [api1, api2] = await Promise.all([new ShopApi(one.app).init(), new ShopApi(two.app).init()]);
      user = await api1.newUser('Two Replicas');
    });
    afterAll(async () => {
      await one?.close();
      await two?.close();
      await redis?.cleanup();
      await db?.cleanup();
    });

    const token = (): string => user.tokens.accessToken;

    it('an answer cached by one replica is a hit on the other; a PATCH on the other makes the first one fresh', async () => {
      const product = await api1.createProduct({ priceCents: 1000, stock: 5 });
      const listQuery = `?q=${product.sku}`;
      expect200(await api1.getProductRaw(token(), product.id), MISS);
      await expect.poll(async () => cacheStatus(await api1.getProductRaw(token(), product.id))).toBe(HIT);
      expect(expect200<ProductBody>(await api2.getProductRaw(token(), product.id), HIT)).toEqual(product);
      expect200(await api1.listProductsRaw(token(), listQuery), MISS);
      await expect.poll(async () => cacheStatus(await api1.listProductsRaw(token(), listQuery))).toBe(HIT);

      const res = await api2.patchProduct(api2.adminToken, product.id, { priceCents: 1999 }, etag(product.version));
      expect(res.statusCode, res.body).toBe(200);
      const updated = res.json<ProductBody>();

      const fresh = await api1.getProductRaw(token(), product.id);
      expect(expect200<ProductBody>(fresh, MISS)).toEqual(updated);
      expect(fresh.headers.etag).toBe(etag(updated.version));
      expect(expect200<PageBody<ProductBody>>(await api1.listProductsRaw(token(), listQuery), MISS).data).toEqual([
        updated,
      ]);

      // An order on replica one changes the stock replica two shows.
      await expect.poll(async () => cacheStatus(await api2.getProductRaw(token(), product.id))).toBe(HIT);
      await api1.order(token(), [{ productId: product.id, quantity: 2 }]);
      expect(expect200<ProductBody>(await api2.getProductRaw(token(), product.id), MISS).stock).toBe(3);
    });

    it('caller-scoped answers are shared across replicas for the same caller only', async () => {
      const [frank, grace] = await api2.newUsers(2, 'Replica Scope');
      const product = await api1.createProduct({ stock: 5 });
      const order = await api1.order(frank.tokens.accessToken, [{ productId: product.id, quantity: 1 }]);
      expect200(await api1.listOrdersRaw(frank.tokens.accessToken), MISS);
      await expect.poll(async () => cacheStatus(await api1.listOrdersRaw(frank.tokens.accessToken))).toBe(HIT);
      const fromTwo = expect200<PageBody<OrderBody>>(await api2.listOrdersRaw(frank.tokens.accessToken), HIT);
      expect(fromTwo.data.map((o) => o.id)).toEqual([order.id]);
      expect(expect200<PageBody<OrderBody>>(await api2.listOrdersRaw(grace.tokens.accessToken), MISS).data).toEqual([]);
      expectProblem(await api2.getOrderRaw(grace.tokens.accessToken, order.id), 404);
    });
  },
);

describe('response cache with Redis unreachable (REDIS_URL at a closed port)', () => {
  let db: TestDatabase;
  let t: TestApp;
  let api: ShopApi;
  let user: TestUser;

  beforeAll(async () => {
    db = await pgliteTier.create();
    t = await bootTestApp({
      ...db.env,
      ...adminEnv(),
      ...(await unreachableRedisEnv()),
    });
    api = await new ShopApi(t.app).init();
    user = await api.newUser('No Redis');
  });
  afterAll(async () => {
    await t?.close();
    await db?.cleanup();
  });

  it('the app boots and serves: every GET computed (detail=unavailable), never stale after a write', async () => {
    const product = await api.createProduct({ priceCents: 1000 });
    const before = await cacheCounters(t.app, '/v1/products');
    for (let i = 0; i < 2; i++) {
      const page = expect200<PageBody<ProductBody>>(await api.listProductsRaw(user.tokens.accessToken), UNAVAILABLE);
      expect(page.data.map((p) => p.id)).toContain(product.id);
    }
    expect(moved(before, await cacheCounters(t.app, '/v1/products'))).toEqual({ hits: 0, misses: 2 });

    expect200(await api.getProductRaw(user.tokens.accessToken, product.id), UNAVAILABLE);
    const updated = await api.changeProduct(product.id, { priceCents: 1234 });
    const fresh = await api.getProductRaw(user.tokens.accessToken, product.id);
    expect(expect200<ProductBody>(fresh, UNAVAILABLE)).toEqual(updated);
    expect(fresh.headers.etag).toBe(etag(updated.version));
  });

  it('/health/ready stays 200 and reports redis "degraded"', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/health/ready' });
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json<{ status: string; details: Record<string, { status: string }> }>();
    expect(body.details.redis?.status).toBe('degraded');
    expect(body.details.database?.status).toBe('up');
    expect(body.status).toBe('degraded');
  });
});
