import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { ADMIN, adminEnv, strongPassword, uniqueEmail } from '../support/auth';
import { loadOpenApi, OPENAPI_FILE, ResponseContract } from '../support/fuzz/openapi-document';
import { PgliteTemplate } from '../support/pglite-template';
import { type RunningProcess, startBuiltApi, startPrismProxy, waitForStatus } from '../support/processes';
import { etag, uniqueKey, uniqueSku } from '../support/shop';

/**
 * The built app behind Stoplight Prism as a validating proxy (`prism proxy openapi.json <app>`, no `--errors`, so
 * invalid requests still reach the app): a walk-through of every feature and of every error path, where any
 * violation Prism reports about a RESPONSE (its `sl-violations` header, location `response…`) fails the test.
 * Request-side violations are expected for the deliberately invalid requests and are ignored.
 *
 * Prism answers a body that is not JSON itself (400 `invalid_json`) instead of forwarding it, so the malformed-JSON
 * case goes to the app directly and its answer is checked against the same document with Ajv.
 */

/** Low enough that a short login burst trips it; high enough for the walk-through's own auth calls. */
const AUTH_PER_MINUTE = 20;

interface Violation {
  location: string[];
  severity: string;
  code?: string | number;
  message: string;
}

interface Sent {
  status: number;
  headers: Headers;
  text: string;
  json: <T = Record<string, unknown>>() => T;
  violations: Violation[];
}

interface CallOptions {
  token?: string;
  /** Serialised as JSON with `Content-Type: application/json`. */
  body?: unknown;
  /** Sent as is (with `contentType`, default application/json). */
  raw?: string;
  contentType?: string;
  headers?: Record<string, string>;
}

describe('the API through Prism, validating every response against openapi.json', () => {
  let app: RunningProcess | undefined;
  let appBase = '';
  let prism: Awaited<ReturnType<typeof startPrismProxy>> | undefined;
  let cleanup: (() => void) | undefined;
  /** Response violations of the current test, with the request that drew them. */
  let found: string[] = [];

  beforeAll(async () => {
    loadOpenApi(); // a clear error when the document is missing
    const clone = PgliteTemplate.clone(inject('pgliteTemplateDir'));
    cleanup = clone.cleanup;
    ({ proc: app, base: appBase } = await startBuiltApi({
      DATA_DIR: clone.dataDir,
      ...adminEnv(),
      RATE_LIMIT_AUTH_PER_MINUTE: String(AUTH_PER_MINUTE),
    }));
    await waitForStatus(`${appBase}/health/startup`, 200);
    prism = await startPrismProxy(OPENAPI_FILE, appBase);
  });

  afterAll(async () => {
    await prism?.stop();
    if (app?.child.exitCode === null) app.child.kill('SIGKILL');
    await app?.exited;
    cleanup?.();
  });

  afterEach(() => {
    const violations = found;
    found = [];
    expect(violations, 'Prism found responses that break openapi.json').toEqual([]);
  });

  async function call(method: string, path: string, options: CallOptions = {}): Promise<Sent> {
    if (!prism) throw new Error('prism did not start');
    const headers: Record<string, string> = { ...options.headers };
    if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`;
    let body: string | undefined;
    if (options.raw !== undefined || options.body !== undefined) {
      body = options.raw ?? JSON.stringify(options.body);
      headers['content-type'] = options.contentType ?? 'application/json';
    }
    const res = await fetch(`${prism.base}${path}`, { method, headers, body, signal: AbortSignal.timeout(20_000) });
    const text = await res.text();
    const violations = parseViolations(res.headers.get('sl-violations'));
    for (const v of violations.filter((v) => v.location[0] === 'response')) {
      found.push(`${method} ${path} → ${res.status}: [${v.severity}] ${v.location.join('.')}: ${v.message}`);
    }
    return { status: res.status, headers: res.headers, text, json: <T>() => JSON.parse(text) as T, violations };
  }

  const expectStatus = (res: Sent, status: number): void => expect(res.status, res.text.slice(0, 500)).toBe(status);

  // --- the state the walk-through builds ---------------------------------------------------------------------------
  const user = { email: uniqueEmail('prism'), password: strongPassword() };
  let userToken = '';
  let refreshToken = '';
  let adminToken = '';
  let product = { id: '', version: 0 };
  let scarce = { id: '' };
  let order = { id: '', version: 0 };

  describe('accounts', () => {
    it('register: 201; again: 409; invalid: 400', async () => {
      expectStatus(await call('POST', '/v1/auth/register', { body: { ...user, name: 'Prism User' } }), 201);
      expectStatus(await call('POST', '/v1/auth/register', { body: { ...user, name: 'Prism User' } }), 409);
      expectStatus(await call('POST', '/v1/auth/register', { body: { email: 'not-an-email', password: 'x' } }), 400);
      expectStatus(await call('POST', '/v1/auth/register', { body: { ...user, name: 'X', role: 'admin' } }), 400);
    });

    it('login: 200; wrong password: 401', async () => {
      const ok = await call('POST', '/v1/auth/login', { body: user });
      expectStatus(ok, 200);
      ({ accessToken: userToken, refreshToken } = ok.json<{ accessToken: string; refreshToken: string }>());
      expectStatus(await call('POST', '/v1/auth/login', { body: { ...user, password: 'Wrong-password-123' } }), 401);
      const admin = await call('POST', '/v1/auth/login', { body: ADMIN });
      expectStatus(admin, 200);
      adminToken = admin.json<{ accessToken: string }>().accessToken;
    });

    it('refresh: 200 with a new pair; a forged token: 401', async () => {
      const ok = await call('POST', '/v1/auth/refresh', { body: { refreshToken } });
      expectStatus(ok, 200);
      ({ accessToken: userToken, refreshToken } = ok.json<{ accessToken: string; refreshToken: string }>());
      expectStatus(await call('POST', '/v1/auth/refresh', { body: { refreshToken: 'A'.repeat(43) } }), 401);
    });

    it('GET /v1/users/me: 200, 304 on its ETag, 401 without or with a bad token; PATCH: 200', async () => {
      const me = await call('GET', '/v1/users/me', { token: userToken });
      expectStatus(me, 200);
      const tag = me.headers.get('etag');
      if (tag)
        expectStatus(await call('GET', '/v1/users/me', { token: userToken, headers: { 'if-none-match': tag } }), 304);
      expectStatus(await call('GET', '/v1/users/me'), 401);
      expectStatus(await call('GET', '/v1/users/me', { token: 'not.a.jwt' }), 401);
      expectStatus(await call('PATCH', '/v1/users/me', { token: userToken, body: { name: 'Renamed' } }), 200);
      expectStatus(await call('PATCH', '/v1/users/me', { token: userToken, body: { name: 42 } }), 400);
    });

    it('admin routes: 403 for a user; 200 for the admin; 404 for an unknown user', async () => {
      expectStatus(await call('GET', '/v1/users', { token: userToken }), 403);
      expectStatus(await call('GET', '/v1/users?limit=2', { token: adminToken }), 200);
      expectStatus(await call('GET', '/v1/users/6f1c2d3e-4b5a-4c7d-8e9f-0a1b2c3d4e5f', { token: adminToken }), 404);
    });
  });

  describe('catalog', () => {
    const productBody = (overrides: Record<string, unknown> = {}): Record<string, unknown> => ({
      sku: uniqueSku('PRISM'),
      name: 'Prism product',
      description: 'Checked through Prism',
      priceCents: 1999,
      currency: 'EUR',
      stock: 50,
      ...overrides,
    });

    it('create: 201 as admin, 403 as a user, 400 when invalid', async () => {
      const created = await call('POST', '/v1/products', { token: adminToken, body: productBody() });
      expectStatus(created, 201);
      product = created.json<{ id: string; version: number }>();
      const few = await call('POST', '/v1/products', { token: adminToken, body: productBody({ stock: 1 }) });
      expectStatus(few, 201);
      scarce = few.json<{ id: string }>();
      expectStatus(await call('POST', '/v1/products', { token: userToken, body: productBody() }), 403);
      expectStatus(
        await call('POST', '/v1/products', { token: adminToken, body: productBody({ priceCents: -1 }) }),
        400,
      );
    });

    it('list with pagination: 200, the next page by cursor; a forged cursor or limit over the cap: 400', async () => {
      const first = await call('GET', '/v1/products?limit=1', { token: userToken });
      expectStatus(first, 200);
      const { nextCursor } = first.json<{ nextCursor: string | null }>();
      expect(nextCursor).toEqual(expect.any(String));
      const cursor = encodeURIComponent(String(nextCursor));
      expectStatus(await call('GET', `/v1/products?limit=1&cursor=${cursor}`, { token: userToken }), 200);
      expectStatus(await call('GET', '/v1/products?cursor=forged-cursor', { token: userToken }), 400);
      expectStatus(await call('GET', '/v1/products?limit=1000', { token: userToken }), 400);
    });

    it('get: 200 with an ETag, 304 on If-None-Match, 404 for an unknown id, 400 for a malformed one', async () => {
      const got = await call('GET', `/v1/products/${product.id}`, { token: userToken });
      expectStatus(got, 200);
      const tag = got.headers.get('etag');
      expect(tag).toBe(etag(product.version));
      const again = { token: userToken, headers: { 'if-none-match': String(tag) } };
      expectStatus(await call('GET', `/v1/products/${product.id}`, again), 304);
      expectStatus(await call('GET', '/v1/products/6f1c2d3e-4b5a-4c7d-8e9f-0a1b2c3d4e5f', { token: userToken }), 404);
      expectStatus(await call('GET', '/v1/products/not-a-uuid', { token: userToken }), 400);
    });

    it('PATCH: 200 with If-Match, 412 on a stale one, 428 without', async () => {
      const path = `/v1/products/${product.id}`;
      const ok = await call('PATCH', path, {
        token: adminToken,
        body: { name: 'Prism product, renamed' },
        headers: { 'if-match': etag(product.version) },
      });
      expectStatus(ok, 200);
      const stale = etag(product.version);
      product = ok.json<{ id: string; version: number }>();
      expectStatus(
        await call('PATCH', path, { token: adminToken, body: { stock: 60 }, headers: { 'if-match': stale } }),
        412,
      );
      expectStatus(await call('PATCH', path, { token: adminToken, body: { stock: 60 } }), 428);
    });
  });

  describe('orders', () => {
    const key = uniqueKey('prism');

    it('create with an Idempotency-Key: 201; replay: the same answer; same key, other body: 422', async () => {
      const body = { items: [{ productId: product.id, quantity: 2 }] };
      const created = await call('POST', '/v1/orders', { token: userToken, body, headers: { 'idempotency-key': key } });
      expectStatus(created, 201);
      order = created.json<{ id: string; version: number }>();
      const replay = await call('POST', '/v1/orders', { token: userToken, body, headers: { 'idempotency-key': key } });
      expectStatus(replay, 201);
      expect(replay.json<{ id: string }>().id).toBe(order.id);
      const other = { items: [{ productId: product.id, quantity: 3 }] };
      expectStatus(
        await call('POST', '/v1/orders', { token: userToken, body: other, headers: { 'idempotency-key': key } }),
        422,
      );
    });

    it('insufficient stock: 409; unknown product: 404 or 422; empty items: 400', async () => {
      const tooMany = { items: [{ productId: scarce.id, quantity: 2 }] };
      expectStatus(await call('POST', '/v1/orders', { token: userToken, body: tooMany }), 409);
      const unknown = { items: [{ productId: '6f1c2d3e-4b5a-4c7d-8e9f-0a1b2c3d4e5f', quantity: 1 }] };
      expect([404, 422]).toContain((await call('POST', '/v1/orders', { token: userToken, body: unknown })).status);
      expectStatus(await call('POST', '/v1/orders', { token: userToken, body: { items: [] } }), 400);
    });

    it('get: 200 (304 on its ETag); without a valid token: 401', async () => {
      const got = await call('GET', `/v1/orders/${order.id}`, { token: userToken });
      expectStatus(got, 200);
      const headers = { 'if-none-match': etag(order.version) };
      expectStatus(await call('GET', `/v1/orders/${order.id}`, { token: userToken, headers }), 304);
      expectStatus(await call('GET', `/v1/orders/${order.id}`, { token: '' }), 401);
    });

    it('cancel: 412 on a stale If-Match, 200 with the current one, then 409 (already cancelled); list: 200', async () => {
      const path = `/v1/orders/${order.id}/cancel`;
      const stale = { token: userToken, headers: { 'if-match': etag(order.version + 5) } };
      expectStatus(await call('POST', path, stale), 412);
      const ok = await call('POST', path, { token: userToken, headers: { 'if-match': etag(order.version) } });
      expectStatus(ok, 200);
      order = ok.json<{ id: string; version: number }>();
      expectStatus(await call('POST', path, { token: userToken }), 409);
      expectStatus(await call('GET', '/v1/orders?limit=5&status=cancelled', { token: userToken }), 200);
    });

    it('PATCH status (admin): 428 without If-Match, 403 for a user', async () => {
      const path = `/v1/orders/${order.id}/status`;
      expectStatus(await call('PATCH', path, { token: adminToken, body: { status: 'paid' } }), 428);
      const headers = { 'if-match': etag(order.version) };
      expectStatus(await call('PATCH', path, { token: userToken, body: { status: 'paid' }, headers }), 403);
    });
  });

  describe('bodies', () => {
    it('413 for a body over the limit, 415 for text/plain', async () => {
      const big = JSON.stringify({ email: `${'a'.repeat(1_100_000)}@example.test`, password: 'x' });
      expectStatus(await call('POST', '/v1/auth/login', { raw: big }), 413);
      expectStatus(await call('POST', '/v1/auth/login', { raw: 'hello', contentType: 'text/plain' }), 415);
      expectStatus(
        await call('POST', '/v1/orders', { token: userToken, raw: 'items=1', contentType: 'text/plain' }),
        415,
      );
    });

    it('malformed JSON: 400 (sent to the app directly: Prism answers it itself) conforms to the document', async () => {
      const contract = new ResponseContract(loadOpenApi());
      const res = await fetch(`${appBase}/v1/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{"email":',
      });
      const text = await res.text();
      expect(res.status, text).toBe(400);
      const op = contract.find('POST', '/v1/auth/login');
      expect(op, 'POST /v1/auth/login is in the document').toBeDefined();
      const headers = Object.fromEntries(res.headers.entries());
      expect(contract.check(op!, { status: res.status, headers, body: text })).toEqual([]);
    });
  });

  describe('rate limits (last: they lock the client IP out of the auth routes)', () => {
    it('a burst of logins answers 429 with Retry-After', async () => {
      const victim = { email: uniqueEmail('burst'), password: 'Not-the-password-1' };
      let last: Sent | undefined;
      for (let i = 0; i < AUTH_PER_MINUTE + 2 && last?.status !== 429; i++) {
        last = await call('POST', '/v1/auth/login', { body: victim });
      }
      expectStatus(last as Sent, 429);
      expect(last?.headers.get('retry-after')).toMatch(/^\d+$/);
    });
  });
});

function parseViolations(header: string | null): Violation[] {
  if (!header) return [];
  try {
    const parsed = JSON.parse(header) as unknown;
    return Array.isArray(parsed) ? (parsed as Violation[]) : [];
  } catch {
    return [{ location: ['response'], severity: 'Error', message: `unreadable sl-violations header: ${header}` }];
  }
}
