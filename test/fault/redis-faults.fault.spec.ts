import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PrivateRedis } from '../support/private-redis';
import { adminWithProduct, type RunningProcess, startBuiltApi, waitForStatus } from '../support/processes';

/**
 * Fault injection against a PRIVATE redis-server (a child process on a free port, no persistence) and the built app as a real
 * process: Redis is an optimisation, never a dependency. While it is stopped or frozen (SIGSTOP) every request still answers,
 * within the command deadline, with fresh data (no stale cache after writes), rate limits still hold (in process memory),
 * readiness stays 200 but says `degraded`; once Redis is back the same process reconnects by itself and caches again.
 */

const ADMIN = { email: 'redis-fault-admin@example.test', password: 'Redis-Fault-Admin-Pass-5816' };
const SKU = 'REDIS-FAULT-1';
const COMMAND_TIMEOUT_MS = 300;
/** Login limit per IP+email: half the auth limit. */
const AUTH_PER_MINUTE = 6;
const LOGIN_LIMIT = AUTH_PER_MINUTE / 2;

const skipReason = PrivateRedis.unavailableReason();

interface Timed {
  status: number;
  elapsedMs: number;
  headers: Headers;
  body: string;
  /** The parsed JSON body (undefined when it is not JSON). */
  json: unknown;
}

interface ProductBody {
  id: string;
  sku: string;
  name: string;
  priceCents: number;
  stock: number;
  version: number;
}

interface HealthBody {
  status: string;
  details?: Record<string, { status: string; message?: string }>;
}

async function timed(
  method: string,
  url: string,
  options: { token?: string; body?: unknown; headers?: Record<string, string> } = {},
): Promise<Timed> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  const t0 = Date.now();
  // Far above the expected bound, so that a hang shows up as a measured time rather than a test timeout.
  const res = await fetch(url, {
    method,
    headers,
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
    signal: AbortSignal.timeout(15_000),
  });
  const body = await res.text();
  const elapsedMs = Date.now() - t0;
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    json = undefined;
  }
  return { status: res.status, elapsedMs, headers: res.headers, body, json };
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe.skipIf(skipReason !== undefined)(
  `Redis faults against the built app${skipReason === undefined ? '' : ` (SKIPPED: ${skipReason})`}`,
  () => {
    let redis: PrivateRedis | undefined;
    let proc: RunningProcess | undefined;
    let base: string;
    let token: string;
    let pid: number | undefined;
    let productId: string;

    const diagnostics = (): string =>
      `\n--- app stdout ---\n${proc?.stdout().slice(-4000)}\n--- app stderr ---\n${proc?.stderr().slice(-4000)}` +
      `\n--- redis log ---\n${redis?.log().slice(-2000)}`;

    beforeAll(async () => {
      redis = await PrivateRedis.start();
      ({ proc, base } = await startBuiltApi({
        DATABASE_URL: 'memory://',
        REDIS_URL: redis.url,
        REDIS_COMMAND_TIMEOUT_MS: String(COMMAND_TIMEOUT_MS),
        REDIS_CONNECT_TIMEOUT_MS: '1000',
        LOG_LEVEL: 'warn',
        ADMIN_EMAIL: ADMIN.email,
        ADMIN_PASSWORD: ADMIN.password,
        RATE_LIMIT_PER_MINUTE: '100000',
        RATE_LIMIT_AUTH_PER_MINUTE: String(AUTH_PER_MINUTE),
        SHUTDOWN_DRAIN_MS: '0',
      }));
      pid = proc.child.pid;
      try {
        await waitForStatus(`${base}/health/ready`, 200, 20_000);
        token = await adminWithProduct(base, ADMIN, {
          sku: SKU,
          name: 'Redis fault product',
          priceCents: 1234,
          currency: 'EUR',
          stock: 50,
        });
      } catch (error) {
        throw new Error(`${(error as Error).message}${diagnostics()}`);
      }
    });

    afterAll(async () => {
      redis?.thaw();
      if (proc && proc.child.exitCode === null && proc.child.signalCode === null) {
        proc.child.kill('SIGTERM');
        const exited = await Promise.race([proc.exited.then(() => true), sleep(5_000).then(() => false)]);
        if (!exited) {
          proc.child.kill('SIGKILL');
          await proc.exited;
        }
      }
      await redis?.destroy();
    });

    const expectAlive = (): void => {
      expect(proc!.child.exitCode, `the app exited${diagnostics()}`).toBeNull();
      expect(proc!.child.signalCode, `the app was killed${diagnostics()}`).toBeNull();
      expect(proc!.child.pid).toBe(pid);
    };

    /** Status and time bound, with the body and the app's output when either is wrong. */
    const expectAnswer = (res: Timed, status: number, boundMs: number, what: string): void => {
      expect(res.elapsedMs, `${what} took ${res.elapsedMs} ms${diagnostics()}`).toBeLessThan(boundMs);
      expect(res.status, `${what}: ${res.body}${diagnostics()}`).toBe(status);
    };

    const cacheStatus = (res: Timed): string | null => res.headers.get('cache-status');

    const listProducts = (): Promise<Timed> => timed('GET', `${base}/v1/products`, { token });
    const getProduct = (): Promise<Timed> => timed('GET', `${base}/v1/products/${productId}`, { token });

    const productInList = (res: Timed): ProductBody | undefined =>
      (res.json as { data?: ProductBody[] }).data?.find((p) => p.sku === SKU);

    const ready = async (): Promise<Timed & { health: HealthBody }> => {
      const res = await timed('GET', `${base}/health/ready`);
      return { ...res, health: res.json as HealthBody };
    };

    /** Polls readiness until `details.redis.status` is `status`; returns how long that took. */
    const waitForRedisStatus = async (status: 'up' | 'degraded', timeoutMs: number): Promise<number> => {
      const t0 = Date.now();
      let last = '';
      while (Date.now() - t0 < timeoutMs) {
        const res = await ready();
        if (res.status === 200 && res.health.details?.redis?.status === status) return Date.now() - t0;
        last = `${res.status} ${res.body}`;
        await sleep(100);
      }
      throw new Error(
        `readiness did not report redis ${status} within ${timeoutMs} ms (last: ${last})${diagnostics()}`,
      );
    };

    const metrics = async (): Promise<string> => {
      const res = await timed('GET', `${base}/metrics`);
      expect(res.status, res.body).toBe(200);
      return res.body;
    };

    /** A GET that must come from the cache (and its data). */
    const expectCachedList = async (expected: Partial<ProductBody>): Promise<void> => {
      const res = await listProducts();
      expectAnswer(res, 200, 1_500, 'GET /v1/products');
      expect(cacheStatus(res), `a repeated GET is not a cache hit${diagnostics()}`).toBe('nest-api; hit');
      expect(productInList(res)).toMatchObject(expected);
    };

    const patchProduct = async (changes: Partial<ProductBody>, boundMs: number): Promise<ProductBody> => {
      const current = await getProduct();
      expectAnswer(current, 200, boundMs, 'GET /v1/products/:id');
      const etag = current.headers.get('etag');
      expect(etag, `no ETag on GET /v1/products/:id${diagnostics()}`).toBeTruthy();
      const res = await timed('PATCH', `${base}/v1/products/${productId}`, {
        token,
        body: changes,
        headers: { 'if-match': etag! },
      });
      expectAnswer(res, 200, boundMs, 'PATCH /v1/products/:id');
      expect(res.json).toMatchObject(changes);
      return res.json as ProductBody;
    };

    const order = async (boundMs: number): Promise<void> => {
      const res = await timed('POST', `${base}/v1/orders`, {
        token,
        body: { items: [{ productId, quantity: 1 }] },
      });
      expectAnswer(res, 201, boundMs, 'POST /v1/orders');
      expect(res.json).toMatchObject({ status: 'pending', items: [{ productId, quantity: 1 }] });
    };

    it('Redis up: ready with redis up, a repeated GET is a cache hit, redis_up 1', async () => {
      const health = await ready();
      expect(health.status, `${health.body}${diagnostics()}`).toBe(200);
      expect(health.health.details?.redis?.status).toBe('up');

      // The product's creation invalidated the list: the first GET computes it, the second is served from Redis.
      const first = await listProducts();
      expectAnswer(first, 200, 1_500, 'GET /v1/products');
      expect(cacheStatus(first)).toBe('nest-api; fwd=miss');
      const product = productInList(first);
      expect(product, `product ${SKU} not listed: ${first.body}`).toBeDefined();
      productId = product!.id;
      await expectCachedList({ id: productId, name: 'Redis fault product', stock: 50 });

      const one = await getProduct();
      expect(cacheStatus(one)).toBe('nest-api; fwd=miss');
      const again = await getProduct();
      expect(cacheStatus(again)).toBe('nest-api; hit');
      expect(again.headers.get('etag')).toBe(one.headers.get('etag'));

      const scraped = await metrics();
      expect(scraped).toMatch(/^redis_up 1$/m);
      expect(scraped).toMatch(/^cache_hits_total\{route="\/v1\/products"\} [1-9]/m);
      expect(scraped).toMatch(/^cache_misses_total\{route="\/v1\/products"\} [1-9]/m);
      expectAlive();
    });

    it('Redis stopped: fast 200s with fresh data, writes succeed, rate limits hold in memory, ready but degraded', async () => {
      await redis!.stop();
      const degradedAfterMs = await waitForRedisStatus('degraded', 5_000);
      expect(degradedAfterMs).toBeLessThan(5_000);

      const health = await ready();
      expectAnswer(health, 200, 1_500, 'GET /health/ready');
      expect(health.health.status).toBe('degraded');
      expect(health.health.details?.redis?.status).toBe('degraded');
      expect(health.health.details?.database?.status).toBe('up');
      expectAnswer(await timed('GET', `${base}/health/live`), 200, 1_000, 'GET /health/live');

      const list = await listProducts();
      expectAnswer(list, 200, 1_500, 'GET /v1/products');
      expect(cacheStatus(list)).toBe('nest-api; fwd=miss; detail=unavailable');
      expect(productInList(list)).toMatchObject({ id: productId, name: 'Redis fault product', stock: 50 });
      // Not cached: the next one is computed again.
      expect(cacheStatus(await listProducts())).toBe('nest-api; fwd=miss; detail=unavailable');

      // Writes succeed (their cache invalidation cannot), and the next read shows them.
      await patchProduct({ name: 'Renamed while Redis is down', priceCents: 2000 }, 1_500);
      await order(1_500);
      const after = await listProducts();
      expectAnswer(after, 200, 1_500, 'GET /v1/products');
      expect(productInList(after)).toMatchObject({ name: 'Renamed while Redis is down', priceCents: 2000, stock: 49 });
      const one = await getProduct();
      expectAnswer(one, 200, 1_500, 'GET /v1/products/:id');
      expect(one.json).toMatchObject({ name: 'Renamed while Redis is down', stock: 49 });

      // Rate limits fall back to process memory: the login limit per IP+email still answers 429 (another email than the admin's).
      const login = { email: 'redis-fault-nobody@example.test', password: 'Wrong-Password-123456' };
      const statuses: number[] = [];
      let limited: Timed | undefined;
      for (let attempt = 1; attempt <= LOGIN_LIMIT + 2 && !limited; attempt++) {
        const res = await timed('POST', `${base}/v1/auth/login`, { body: login });
        expect(res.elapsedMs, `login attempt ${attempt} took ${res.elapsedMs} ms${diagnostics()}`).toBeLessThan(1_500);
        statuses.push(res.status);
        if (res.status === 429) limited = res;
      }
      expect(statuses, `login statuses ${statuses.join(',')}${diagnostics()}`).toEqual([
        ...Array<number>(LOGIN_LIMIT).fill(401),
        429,
      ]);
      expect(limited!.headers.get('retry-after')).toMatch(/^[1-9]\d*$/);
      expect(limited!.headers.get('content-type')).toMatch(/^application\/problem\+json/);

      const scraped = await metrics();
      expect(scraped).toMatch(/^redis_up 0$/m);
      expect(scraped).toMatch(/^redis_unavailable_total\{use="cache",reason="connecting"\} [1-9]/m);
      expect(scraped).toMatch(/^redis_unavailable_total\{use="rate_limit",reason="connecting"\} [1-9]/m);
      expectAlive();
    });

    it('Redis started again: the same process reconnects by itself and caches again', async () => {
      await redis!.start();
      const upAfterMs = await waitForRedisStatus('up', 5_000);
      // Reconnection backoff is capped at ~2.1 s.
      expect(upAfterMs).toBeLessThan(5_000);

      const first = await listProducts();
      expectAnswer(first, 200, 1_500, 'GET /v1/products');
      expect(cacheStatus(first)).toBe('nest-api; fwd=miss');
      expect(productInList(first)).toMatchObject({ name: 'Renamed while Redis is down', stock: 49 });
      await expectCachedList({ name: 'Renamed while Redis is down', stock: 49 });

      expect(await metrics()).toMatch(/^redis_up 1$/m);
      expectAlive();
      expect(proc!.stderr()).not.toMatch(/uncaught|unhandled/i);
    });

    it('Redis frozen (SIGSTOP): every answer within the command deadline, fresh data, ready but degraded', async () => {
      // Cached answers from before the freeze, which the writes below make stale.
      await listProducts();
      await expectCachedList({ name: 'Renamed while Redis is down', stock: 49 });
      await getProduct();
      expect(cacheStatus(await getProduct())).toBe('nest-api; hit');

      redis!.freeze();
      try {
        // The command deadline is 300 ms; a request makes a few Redis calls (rate limit, cache), but the first timeout
        // suspends Redis for the others.
        const list = await listProducts();
        expectAnswer(list, 200, 2_000, 'GET /v1/products (frozen)');
        expect(cacheStatus(list)).toBe('nest-api; fwd=miss; detail=unavailable');
        expect(productInList(list)).toMatchObject({ name: 'Renamed while Redis is down', stock: 49 });

        await order(2_000);
        await patchProduct({ name: 'Renamed while Redis is frozen' }, 2_000);

        const health = await ready();
        expectAnswer(health, 200, 2_000, 'GET /health/ready (frozen)');
        expect(health.health.status).toBe('degraded');
        expect(health.health.details?.redis?.status).toBe('degraded');
        expectAnswer(await timed('GET', `${base}/health/live`), 200, 1_000, 'GET /health/live (frozen)');

        // Several at once, past the 1 s suspension: each still bounded, each with the new data.
        await sleep(1_100);
        const parallel = await Promise.all(Array.from({ length: 5 }, () => listProducts()));
        for (const res of parallel) {
          expectAnswer(res, 200, 2_000, 'parallel GET /v1/products (frozen)');
          expect(productInList(res)).toMatchObject({ name: 'Renamed while Redis is frozen', stock: 48 });
        }

        const scraped = await metrics();
        expect(scraped).toMatch(/^redis_unavailable_total\{use="[a-z_]+",reason="timeout"\} [1-9]/m);
        expectAlive();
      } finally {
        redis!.thaw();
      }
    });

    it('Redis thawed (SIGCONT): back to up; the writes made while it was frozen show (no stale cached answer)', async () => {
      const upAfterMs = await waitForRedisStatus('up', 5_000);
      expect(upAfterMs).toBeLessThan(5_000);

      const list = await listProducts();
      expectAnswer(list, 200, 1_500, 'GET /v1/products (thawed)');
      expect(
        productInList(list),
        `stale list after the thaw (Cache-Status: ${cacheStatus(list)}): the product was renamed and ordered while Redis ` +
          `was frozen${diagnostics()}`,
      ).toMatchObject({ name: 'Renamed while Redis is frozen', stock: 48 });
      const one = await getProduct();
      expectAnswer(one, 200, 1_500, 'GET /v1/products/:id (thawed)');
      expect(one.json, `stale product after the thaw (Cache-Status: ${cacheStatus(one)})`).toMatchObject({
        name: 'Renamed while Redis is frozen',
        stock: 48,
      });
    });

    it('Redis thawed (SIGCONT): caching works again', async () => {
      await waitForRedisStatus('up', 5_000);
      // A URL not requested before, so not cached from before the freeze: computed now, then served from Redis.
      const url = `${base}/v1/products?active=true`;
      const first = await timed('GET', url, { token });
      expectAnswer(first, 200, 1_500, 'GET /v1/products?active=true');
      expect(cacheStatus(first)).toBe('nest-api; fwd=miss');
      expect(productInList(first)).toMatchObject({ name: 'Renamed while Redis is frozen', stock: 48 });
      const second = await timed('GET', url, { token });
      expectAnswer(second, 200, 1_500, 'GET /v1/products?active=true');
      expect(cacheStatus(second), `a repeated GET is not a cache hit${diagnostics()}`).toBe('nest-api; hit');
      expect(second.body).toBe(first.body);

      const scraped = await metrics();
      expect(scraped).toMatch(/^redis_up 1$/m);
      expectAlive();
      expect(proc!.stderr()).not.toMatch(/uncaught|unhandled/i);
    });
  },
);
