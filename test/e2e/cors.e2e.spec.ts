import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminEnv, authHeader, expectProblem, type Injected } from '../support/auth';
import { pgliteTier, type TestDatabase } from '../support/databases';
import { type ProductBody, ShopApi } from '../support/shop';
import { bootTestApp, type TestApp } from '../support/test-app';

const APP = 'https://app.example.com';
const LOCAL = 'http://localhost:5173';
const EVIL = 'https://evil.example.net';
const CORS_ORIGINS = `${APP},${LOCAL}`;

/** Origins a sloppy check (prefix, suffix, case, reflection) would let through; none is listed. */
const NEAR_MISSES = [
  EVIL,
  'null',
  `${APP}/`,
  `${APP}:443`,
  'http://app.example.com',
  'https://APP.example.com',
  `${APP}.evil.example.net`,
  `https://evil${APP.slice('https://'.length)}`,
  'http://localhost:5174',
  `${APP}, ${LOCAL}`,
];

const EXPOSED = [
  'etag',
  'location',
  'x-request-id',
  'retry-after',
  'www-authenticate',
  'idempotent-replayed',
  'cache-status',
  'x-ratelimit-limit',
  'x-ratelimit-remaining',
  'x-ratelimit-reset',
];

const preflightHeaders = (origin: string, method = 'POST'): Record<string, string> => ({
  origin,
  'access-control-request-method': method,
  'access-control-request-headers': 'authorization,content-type,idempotency-key',
});

const headerList = (res: Injected, name: string): string[] =>
  String(res.headers[name] ?? '')
    .split(',')
    .map((item) => item.trim().toLowerCase())
    .filter(Boolean);

const corsHeaderNames = (res: Injected): string[] =>
  Object.keys(res.headers).filter((name) => name.startsWith('access-control-'));

/** What every answer carries, preflights included. */
function expectCommonHeaders(res: Injected): void {
  expect(res.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  expect(res.headers['x-content-type-options']).toBe('nosniff');
  expect(res.headers['content-security-policy']).toContain("default-src 'none'");
  expect(res.headers['strict-transport-security']).toContain('max-age=');
}

/** The answer to a listed origin's actual (not preflight) request. */
function expectAllowed(res: Injected, origin: string): void {
  expect(res.headers['access-control-allow-origin']).toBe(origin);
  expect(headerList(res, 'access-control-expose-headers')).toEqual(expect.arrayContaining(EXPOSED));
  expect(headerList(res, 'vary')).toContain('origin');
  expect(res.headers['access-control-allow-credentials']).toBeUndefined();
  expect(res.headers['access-control-allow-methods']).toBeUndefined();
}

/** No CORS header at all, but `Vary: Origin` (the answer depends on it). */
function expectNotAllowed(res: Injected): void {
  expect(corsHeaderNames(res)).toEqual([]);
  expect(headerList(res, 'vary')).toContain('origin');
}

function expectPreflight(res: Injected, origin: string): void {
  expect(res.statusCode).toBe(204);
  expect(res.body).toBe('');
  expect(res.headers['access-control-allow-origin']).toBe(origin);
  expect(headerList(res, 'access-control-allow-methods')).toEqual(['get', 'head', 'post', 'patch', 'delete']);
  expect(headerList(res, 'access-control-allow-headers')).toEqual([
    'authorization',
    'content-type',
    'idempotency-key',
    'if-match',
    'if-none-match',
    'x-request-id',
  ]);
  expect(res.headers['access-control-max-age']).toBe('7200');
  expect(headerList(res, 'vary')).toEqual(['origin']);
  expect(res.headers['access-control-allow-credentials']).toBeUndefined();
  expect(res.headers['access-control-expose-headers']).toBeUndefined();
  expect(res.headers['content-type']).toBeUndefined();
  expectCommonHeaders(res);
}

describe('CORS with CORS_ORIGINS set', () => {
  let db: TestDatabase;
  let t: TestApp;
  let api: ShopApi;
  let product: ProductBody;

  beforeAll(async () => {
    db = await pgliteTier.create();
    // A low threshold, so that a single product (a cached read) is compressed.
    t = await bootTestApp({ ...db.env, ...adminEnv(), CORS_ORIGINS, COMPRESSION_THRESHOLD_BYTES: '100' });
    api = await new ShopApi(t.app).init();
    product = await api.createProduct();
  });
  afterAll(async () => {
    await t?.close();
    await db?.cleanup();
  });

  const inject = (method: 'GET' | 'POST' | 'OPTIONS' | 'HEAD', url: string, headers: Record<string, string> = {}) =>
    api.inject({ method, url, headers });

  it('a preflight from a listed origin: 204 with the methods, headers and max age, for any path', async () => {
    for (const origin of [APP, LOCAL]) {
      for (const [url, method] of [
        ['/v1/products', 'POST'],
        [`/v1/products/${product.id}`, 'PATCH'],
        ['/v1/orders', 'GET'],
        [`/v1/reviews/${product.id}`, 'DELETE'],
        // Unknown and unroutable paths get the same answer: a preflight reveals nothing about routes.
        ['/v1/no-such-thing', 'GET'],
        ['/v1/products/%zz', 'GET'],
        [`/v1/products/${'a'.repeat(300)}`, 'GET'],
      ]) {
        expectPreflight(await inject('OPTIONS', url, preflightHeaders(origin, method)), origin);
      }
    }
  });

  it('preflights never reach the guards: no authentication asked, no rate-limit headers', async () => {
    const res = await inject('OPTIONS', '/v1/auth/login', preflightHeaders(APP));
    expectPreflight(res, APP);
    expect(res.headers['www-authenticate']).toBeUndefined();
    expect(Object.keys(res.headers).filter((name) => name.startsWith('x-ratelimit'))).toEqual([]);
  });

  it('a preflight from any other origin gets no CORS header: the 404 every unrouted OPTIONS gets', async () => {
    const plain = await inject('OPTIONS', '/v1/products');
    expectProblem(plain, 404);
    for (const origin of NEAR_MISSES) {
      for (const url of ['/v1/products', '/v1/no-such-thing']) {
        const res = await inject('OPTIONS', url, preflightHeaders(origin));
        expectProblem(res, 404);
        expectNotAllowed(res);
        expectCommonHeaders(res);
      }
    }
    // A router error (malformed URL) likewise: its own answer, without CORS headers.
    const malformed = await inject('OPTIONS', '/v1/products/%zz', preflightHeaders(EVIL));
    expectProblem(malformed, 400);
    expectNotAllowed(malformed);
  });

  it('an OPTIONS from a listed origin without Access-Control-Request-Method is not a preflight', async () => {
    const res = await inject('OPTIONS', '/v1/products', { origin: APP });
    expectProblem(res, 404);
    expectAllowed(res, APP);
  });

  it('an actual request from a listed origin gets Allow-Origin and the exposed headers', async () => {
    const res = await inject('GET', `/v1/products/${product.id}`, { origin: APP, ...authHeader(api.adminToken) });
    expect(res.statusCode).toBe(200);
    expectAllowed(res, APP);
    expectCommonHeaders(res);
    // What the exposed list promises is really there.
    for (const name of ['etag', 'x-request-id', 'cache-status', 'x-ratelimit-limit', 'x-ratelimit-remaining']) {
      expect(res.headers[name], name).toBeDefined();
    }

    const created = await api.inject({
      method: 'POST',
      url: '/v1/products',
      headers: { origin: LOCAL, ...authHeader(api.adminToken) },
      payload: api.productInput(),
    });
    expect(created.statusCode).toBe(201);
    expectAllowed(created, LOCAL);
    expect(created.headers.location).toMatch(/^\/v1\/products\//);

    const head = await inject('HEAD', `/v1/products/${product.id}`, { origin: APP, ...authHeader(api.adminToken) });
    expect(head.statusCode).toBe(200);
    expectAllowed(head, APP);
  });

  it('an actual request from any other origin, or with no Origin, gets no CORS header but Vary: Origin', async () => {
    for (const origin of [...NEAR_MISSES, undefined]) {
      const headers = { ...authHeader(api.adminToken), ...(origin === undefined ? {} : { origin }) };
      const res = await inject('GET', `/v1/products/${product.id}`, headers);
      // CORS is for browsers to enforce: the server still answers.
      expect(res.statusCode, origin).toBe(200);
      expectNotAllowed(res);
    }
  });

  it('error answers carry Allow-Origin, so a browser client can read the problem', async () => {
    const unauthorized = await inject('GET', `/v1/products/${product.id}`, { origin: APP });
    expectProblem(unauthorized, 401);
    expectAllowed(unauthorized, APP);
    expect(unauthorized.headers['www-authenticate']).toMatch(/^Bearer/);

    const token = authHeader(api.adminToken);
    const cases: Array<[number, Promise<Injected>]> = [
      [404, inject('GET', `/v1/products/${randomUUID()}`, { origin: APP, ...token })],
      [404, inject('GET', '/v1/no-such-thing', { origin: APP })],
      [400, inject('GET', '/v1/products/not-a-uuid', { origin: APP, ...token })],
      [
        400,
        api.inject({
          method: 'POST',
          url: '/v1/products',
          headers: { origin: APP, ...token },
          payload: { sku: '' },
        }),
      ],
      [415, api.inject({ method: 'POST', url: '/v1/products', headers: { origin: APP, ...token }, payload: 'x' })],
      // Answered by the router before any hook (low-level-errors.ts): a malformed URL, an over-long segment.
      [400, inject('GET', '/v1/products/%zz', { origin: APP })],
      [414, inject('GET', `/v1/products/${'a'.repeat(300)}`, { origin: APP })],
    ];
    for (const [status, pending] of cases) {
      const res = await pending;
      expectProblem(res, status);
      expectAllowed(res, APP);
      expectCommonHeaders(res);
    }
  });

  it('a cached answer gets the CORS headers of its own request, and Vary keeps origin and accept-encoding', async () => {
    const fresh = await api.createProduct();
    const get = (headers: Record<string, string>) =>
      inject('GET', `/v1/products/${fresh.id}`, { ...authHeader(api.adminToken), 'accept-encoding': 'br', ...headers });

    const miss = await get({ origin: APP });
    expect(miss.statusCode).toBe(200);
    expect(miss.headers['cache-status']).toMatch(/fwd=miss/);
    expect(miss.headers['content-encoding']).toBe('br');
    expectAllowed(miss, APP);
    expect(headerList(miss, 'vary')).toEqual(expect.arrayContaining(['origin', 'accept-encoding']));

    // Served from the cache, for another listed origin, another origin, and no origin.
    const hit = await get({ origin: LOCAL });
    expect(hit.headers['cache-status']).toMatch(/; hit$/);
    expect(hit.headers['content-encoding']).toBe('br');
    expectAllowed(hit, LOCAL);
    expect(headerList(hit, 'vary')).toEqual(expect.arrayContaining(['origin', 'accept-encoding']));

    for (const headers of [{ origin: EVIL }, {}] as Array<Record<string, string>>) {
      const other = await get(headers);
      expect(other.headers['cache-status']).toMatch(/; hit$/);
      expectNotAllowed(other);
      expect(headerList(other, 'vary')).toEqual(expect.arrayContaining(['origin', 'accept-encoding']));
    }

    // A 304 for the compressed copy too.
    const notModified = await get({ origin: APP, 'if-none-match': String(hit.headers.etag) });
    expect(notModified.statusCode).toBe(304);
    expectAllowed(notModified, APP);
    expect(headerList(notModified, 'vary')).toEqual(expect.arrayContaining(['origin', 'accept-encoding']));
  });
});

describe('CORS and the rate limit', () => {
  let db: TestDatabase;
  let t: TestApp;

  beforeAll(async () => {
    db = await pgliteTier.create();
    t = await bootTestApp({ ...db.env, CORS_ORIGINS: APP, RATE_LIMIT_PER_MINUTE: '3' });
  });
  afterAll(async () => {
    await t?.close();
    await db?.cleanup();
  });

  it('preflights do not count; a 429 carries Allow-Origin and exposes Retry-After', async () => {
    const url = `/v1/products/${randomUUID()}`;
    for (let i = 0; i < 10; i++) {
      expectPreflight(await t.app.inject({ method: 'OPTIONS', url, headers: preflightHeaders(APP, 'GET') }), APP);
    }
    const first = await t.app.inject({ method: 'GET', url, headers: { origin: APP } });
    expectProblem(first, 401);
    expect(first.headers['x-ratelimit-remaining']).toBe('2');
    await t.app.inject({ method: 'GET', url, headers: { origin: APP } });
    await t.app.inject({ method: 'GET', url, headers: { origin: APP } });

    const limited = await t.app.inject({ method: 'GET', url, headers: { origin: APP } });
    expectProblem(limited, 429);
    expectAllowed(limited, APP);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThanOrEqual(1);

    // Still answered once limited: a browser can go on asking.
    expectPreflight(await t.app.inject({ method: 'OPTIONS', url, headers: preflightHeaders(APP, 'GET') }), APP);
  });
});

describe('CORS with CORS_ORIGINS empty (the default)', () => {
  let db: TestDatabase;
  let t: TestApp;

  beforeAll(async () => {
    db = await pgliteTier.create();
    t = await bootTestApp(db.env);
  });
  afterAll(async () => {
    await t?.close();
    await db?.cleanup();
  });

  it('no CORS header and no Vary: Origin for any origin; OPTIONS is not special', async () => {
    for (const origin of [APP, EVIL, undefined]) {
      const headers = origin === undefined ? {} : { origin };
      const live = await t.app.inject({ method: 'GET', url: '/health/live', headers });
      expect(live.statusCode).toBe(200);
      expect(corsHeaderNames(live)).toEqual([]);
      expect(live.headers.vary).toBeUndefined();

      const unauthorized = await t.app.inject({ method: 'GET', url: `/v1/products/${randomUUID()}`, headers });
      expectProblem(unauthorized, 401);
      expect(corsHeaderNames(unauthorized)).toEqual([]);

      for (const url of ['/v1/products', '/v1/no-such-thing']) {
        const preflight = await t.app.inject({
          method: 'OPTIONS',
          url,
          headers: origin === undefined ? {} : preflightHeaders(origin),
        });
        expectProblem(preflight, 404);
        expect(corsHeaderNames(preflight)).toEqual([]);
        expect(preflight.headers.vary).toBeUndefined();
        expectCommonHeaders(preflight);
      }
    }
  });
});
