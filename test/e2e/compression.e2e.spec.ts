import { brotliDecompressSync, gunzipSync, gzipSync, inflateSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminEnv, authHeader, expectProblem, type Injected, type TestUser } from '../support/auth';
import { pgliteTier, type TestDatabase } from '../support/databases';
import { etag, type OrderBody, PROBLEM, type ProductBody, ShopApi } from '../support/shop';
import { bootTestApp, type TestApp } from '../support/test-app';

/** The body as the client reads it, whatever the coding. */
function decoded(res: Injected): string {
  const raw = res.rawPayload;
  switch (res.headers['content-encoding']) {
    case undefined:
      return raw.toString();
    case 'br':
      return brotliDecompressSync(raw).toString();
    case 'gzip':
      return gunzipSync(raw).toString();
    case 'deflate':
      return inflateSync(raw).toString();
    default:
      throw new Error(`unexpected content-encoding ${String(res.headers['content-encoding'])}`);
  }
}

const varies = (res: Injected): boolean => /\baccept-encoding\b/i.test(String(res.headers.vary ?? ''));

/** 10 products; one user with a 10-line order (~1.9 KB, above the 1 KiB default) and 19 two-line ones. */
async function seed(api: ShopApi): Promise<{ user: TestUser; products: ProductBody[]; bigOrder: OrderBody }> {
  const products = await api.createProducts(Array.from({ length: 10 }, () => ({ stock: 1000 })));
  const user = await api.newUser('Compression Shopper');
  const token = user.tokens.accessToken;
  const bigOrder = await api.order(
    token,
    products.map((p) => ({ productId: p.id, quantity: 1 })),
  );
  for (let i = 0; i < 19; i++) {
    await api.order(token, [
      { productId: products[i % 10].id, quantity: 1 },
      { productId: products[(i + 1) % 10].id, quantity: 1 },
    ]);
  }
  return { user, products, bigOrder };
}

describe('response compression (COMPRESSION_THRESHOLD_BYTES default, 1024)', () => {
  let db: TestDatabase;
  let t: TestApp;
  let api: ShopApi;
  let user: TestUser;
  let products: ProductBody[];
  let bigOrder: OrderBody;

  beforeAll(async () => {
    db = await pgliteTier.create();
    t = await bootTestApp({ ...db.env, ...adminEnv() });
    api = await new ShopApi(t.app).init();
    ({ user, products, bigOrder } = await seed(api));
  });
  afterAll(async () => {
    await t?.close();
    await db?.cleanup();
  });

  const get = (url: string, headers: Record<string, string> = {}): Promise<Injected> =>
    api.inject({ method: 'GET', url, headers: { ...authHeader(user.tokens.accessToken), ...headers } });
  const list = (headers: Record<string, string> = {}): Promise<Injected> => get('/v1/orders?limit=20', headers);
  const order = (headers: Record<string, string> = {}): Promise<Injected> => get(`/v1/orders/${bigOrder.id}`, headers);

  it('a large answer comes back in the coding the client prefers, br on a tie, and decodes to the same JSON', async () => {
    const plain = await list();
    expect(plain.statusCode).toBe(200);
    expect(plain.headers['content-encoding']).toBeUndefined();
    const page = plain.json<{ data: OrderBody[] }>();
    expect(page.data).toHaveLength(20);
    expect(plain.rawPayload.length).toBeGreaterThan(10_000);

    for (const [acceptEncoding, coding] of [
      ['br, gzip', 'br'],
      ['gzip, deflate, br', 'br'],
      ['br;q=0.5, gzip', 'gzip'],
      ['gzip', 'gzip'],
      ['deflate', 'deflate'],
    ]) {
      const res = await list({ 'accept-encoding': acceptEncoding });
      expect(res.statusCode, acceptEncoding).toBe(200);
      expect(res.headers['content-encoding'], acceptEncoding).toBe(coding);
      expect(varies(res), acceptEncoding).toBe(true);
      expect(res.headers['content-type']).toMatch(/^application\/json/);
      expect(res.headers['content-length']).toBe(String(res.rawPayload.length));
      expect(res.rawPayload.length).toBeLessThan(plain.rawPayload.length / 4);
      expect(JSON.parse(decoded(res)), acceptEncoding).toEqual(page);
    }

    for (const acceptEncoding of ['identity', 'zstd', 'br;q=0, gzip;q=0']) {
      const res = await list({ 'accept-encoding': acceptEncoding });
      expect(res.headers['content-encoding'], acceptEncoding).toBeUndefined();
      expect(res.json(), acceptEncoding).toEqual(page);
    }
  });

  it('a compressed answer keeps the security headers, the request id and the cache status', async () => {
    const res = await list({ 'accept-encoding': 'br' });
    expect(res.headers['content-encoding']).toBe('br');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['content-security-policy']).toContain("default-src 'none'");
    expect(res.headers['x-frame-options']).toBe('DENY');
    expect(res.headers['x-request-id']).toEqual(expect.any(String));
    expect(res.headers['cache-control']).toBe('no-store');
  });

  it('answers below the threshold are sent as they are, without Vary', async () => {
    const live = await api.inject({ method: 'GET', url: '/health/live', headers: { 'accept-encoding': 'br, gzip' } });
    expect(live.statusCode).toBe(200);
    expect(live.headers['content-encoding']).toBeUndefined();
    expect(varies(live)).toBe(false);
    expect(live.json()).toEqual({ status: 'ok' });

    const product = await get(`/v1/products/${products[0].id}`, { 'accept-encoding': 'br, gzip' });
    expect(product.statusCode).toBe(200);
    expect(product.rawPayload.length).toBeLessThan(1024);
    expect(product.headers['content-encoding']).toBeUndefined();
    // Ordering changed its stock, hence its version; the tag is the plain one.
    expect(product.headers.etag).toBe(etag(product.json<ProductBody>().version));
  });

  describe('ETags: each coding of a version has its own strong tag ("v1", "v1-br", "v1-gzip"; RFC 9110 §8.8.3.3)', () => {
    it('the tag names the coding of the answer', async () => {
      const identity = await order();
      expect(identity.rawPayload.length).toBeGreaterThan(1024);
      expect(identity.headers['content-encoding']).toBeUndefined();
      expect(identity.headers.etag).toBe('"v1"');
      const br = await order({ 'accept-encoding': 'gzip, deflate, br' });
      expect(br.headers['content-encoding']).toBe('br');
      expect(br.headers.etag).toBe('"v1-br"');
      const gzip = await order({ 'accept-encoding': 'gzip' });
      expect(gzip.headers['content-encoding']).toBe('gzip');
      expect(gzip.headers.etag).toBe('"v1-gzip"');
      expect(JSON.parse(decoded(br))).toEqual(identity.json());
      expect(JSON.parse(decoded(gzip))).toEqual(identity.json());
    });

    it('If-None-Match with the tag the client got → 304 naming that tag, no body', async () => {
      for (const [acceptEncoding, tag] of [
        ['br, gzip', '"v1-br"'],
        ['gzip', '"v1-gzip"'],
        ['br, gzip', '"v1"'],
        ['br', 'W/"v1-br"'],
      ]) {
        const res = await order({ 'accept-encoding': acceptEncoding, 'if-none-match': tag });
        expect(res.statusCode, tag).toBe(304);
        expect(res.headers.etag, tag).toBe(tag);
        expect(res.rawPayload, tag).toHaveLength(0);
        expect(res.headers['content-encoding'], tag).toBeUndefined();
        // The 304 for a compressed copy varies as the 200 it stands for did.
        expect(varies(res), tag).toBe(tag !== '"v1"');
      }
    });

    it('the tag of a copy in a coding this request does not accept is not a match: 200', async () => {
      const res = await order({ 'if-none-match': '"v1-gzip"' });
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-encoding']).toBeUndefined();
      expect(res.headers.etag).toBe('"v1"');
    });

    it('If-Match takes the tag of any coding; the changed order comes back compressed with its new tag', async () => {
      const [product] = await api.createProducts([{ stock: 100 }]);
      const [, ...others] = products;
      const fresh = await api.order(user.tokens.accessToken, [
        { productId: product.id, quantity: 1 },
        ...others.map((p) => ({ productId: p.id, quantity: 1 })),
      ]);
      const url = `/v1/orders/${fresh.id}`;
      const read = await get(url, { 'accept-encoding': 'br' });
      expect(read.headers.etag).toBe('"v1-br"');

      const stale = await api.inject({
        method: 'PATCH',
        url: `${url}/status`,
        headers: { ...authHeader(api.adminToken), 'if-match': '"v0-br"', 'accept-encoding': 'br' },
        payload: { status: 'paid' },
      });
      expect(stale.statusCode).toBe(412);

      const paid = await api.inject({
        method: 'PATCH',
        url: `${url}/status`,
        headers: { ...authHeader(api.adminToken), 'if-match': String(read.headers.etag), 'accept-encoding': 'br' },
        payload: { status: 'paid' },
      });
      expect(paid.statusCode, decoded(paid)).toBe(200);
      expect(paid.headers['content-encoding']).toBe('br');
      expect(paid.headers.etag).toBe('"v2-br"');
      expect(JSON.parse(decoded(paid))).toMatchObject({ id: fresh.id, status: 'paid', version: 2 });

      // The copy the client held is stale now.
      expect((await get(url, { 'accept-encoding': 'br', 'if-none-match': '"v1-br"' })).statusCode).toBe(200);
    });
  });

  it('HEAD answers with no body; its headers describe the uncompressed answer', async () => {
    const plain = await list();
    const head = await api.inject({
      method: 'HEAD',
      url: '/v1/orders?limit=20',
      headers: { ...authHeader(user.tokens.accessToken), 'accept-encoding': 'br, gzip' },
    });
    expect(head.statusCode).toBe(200);
    expect(head.rawPayload).toHaveLength(0);
    // Fastify's HEAD route drops the body before the compression hook sees it: nothing is compressed for an
    // answer that is not sent.
    expect(head.headers['content-encoding']).toBeUndefined();
    expect(head.headers['content-length']).toBe(String(plain.rawPayload.length));
  });

  it('a large problem+json error is compressed too, and reads the same', async () => {
    const items = Array.from({ length: 30 }, (_, i) => ({ productId: `not-a-uuid-${i}`, quantity: 0 }));
    const plain = await api.postOrder(user.tokens.accessToken, { items });
    const problem = expectProblem(plain, 400);
    expect(plain.rawPayload.length).toBeGreaterThan(1024);

    const res = await api.inject({
      method: 'POST',
      url: '/v1/orders',
      headers: { ...authHeader(user.tokens.accessToken), 'accept-encoding': 'gzip, deflate, br' },
      payload: { items },
    });
    expect(res.statusCode).toBe(400);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.headers['content-encoding']).toBe('br');
    expect(varies(res)).toBe(true);
    const body = JSON.parse(decoded(res)) as typeof problem;
    expect(body.type).toBe(PROBLEM.validation);
    expect(body.requestId).toBe(res.headers['x-request-id']);
    expect({ ...body, requestId: undefined }).toEqual({ ...problem, requestId: undefined });

    // A small one is sent as it is.
    const missing = await get('/v1/orders/00000000-0000-4000-8000-000000000000', { 'accept-encoding': 'br' });
    expectProblem(missing, 404);
    expect(missing.headers['content-encoding']).toBeUndefined();
  });

  it('/metrics (Prometheus text) is compressed', async () => {
    const res = await api.inject({ method: 'GET', url: '/metrics', headers: { 'accept-encoding': 'gzip' } });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain/);
    expect(res.headers['content-encoding']).toBe('gzip');
    expect(decoded(res)).toMatch(/^http_requests_total\{/m);
  });

  it('a compressed request body is not inflated: 400, nothing ordered', async () => {
    const before = await api.stockOf(products[0].id);
    const res = await api.inject({
      method: 'POST',
      url: '/v1/orders',
      headers: {
        ...authHeader(user.tokens.accessToken),
        'content-type': 'application/json',
        'content-encoding': 'gzip',
      },
      payload: gzipSync(JSON.stringify({ items: [{ productId: products[0].id, quantity: 1 }] })),
    });
    expectProblem(res, 400);
    expect(await api.stockOf(products[0].id)).toBe(before);
  });
});

describe('response compression off (COMPRESSION_THRESHOLD_BYTES=0)', () => {
  let db: TestDatabase;
  let t: TestApp;
  let api: ShopApi;
  let user: TestUser;
  let bigOrder: OrderBody;

  beforeAll(async () => {
    db = await pgliteTier.create();
    t = await bootTestApp({ ...db.env, ...adminEnv(), COMPRESSION_THRESHOLD_BYTES: '0' });
    api = await new ShopApi(t.app).init();
    ({ user, bigOrder } = await seed(api));
  });
  afterAll(async () => {
    await t?.close();
    await db?.cleanup();
  });

  it('large answers are sent as they are, with the plain ETag', async () => {
    const headers = { ...authHeader(user.tokens.accessToken), 'accept-encoding': 'gzip, deflate, br' };
    const page = await api.inject({ method: 'GET', url: '/v1/orders?limit=20', headers });
    expect(page.statusCode).toBe(200);
    expect(page.rawPayload.length).toBeGreaterThan(10_000);
    expect(page.headers['content-encoding']).toBeUndefined();
    expect(varies(page)).toBe(false);
    expect(page.json<{ data: unknown[] }>().data).toHaveLength(20);

    const order = await api.inject({ method: 'GET', url: `/v1/orders/${bigOrder.id}`, headers });
    expect(order.headers['content-encoding']).toBeUndefined();
    expect(order.headers.etag).toBe('"v1"');
    const notModified = await api.inject({
      method: 'GET',
      url: `/v1/orders/${bigOrder.id}`,
      headers: { ...headers, 'if-none-match': '"v1"' },
    });
    expect(notModified.statusCode).toBe(304);
  });
});
