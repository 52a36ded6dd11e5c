import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PrivatePostgres } from '../support/private-postgres';
import { adminWithProduct, type RunningProcess, startBuiltApi, waitForStatus } from '../support/processes';
import { SseClient } from '../support/sse';

/**
 * Fault injection against a PRIVATE PostgreSQL (initdb/pg_ctl in a temp dir, on a free port) and the built app as a real process:
 * the app must fail fast (503 + Retry-After, never hang) while PostgreSQL is stopped or frozen, keep liveness 200, and recover
 * in the same process once PostgreSQL is back.
 */

const ADMIN = { email: 'fault-admin@example.test', password: 'Fault-Admin-Pass-7302' };

const started = PrivatePostgres.tryStart();
const pg = 'pg' in started ? started.pg : undefined;
const skipReason = 'reason' in started ? started.reason : '';

interface Timed {
  status: number;
  elapsedMs: number;
  contentType: string | null;
  retryAfter: string | null;
  body: string;
}

async function timedGet(url: string, token?: string): Promise<Timed> {
  const t0 = Date.now();
  // Far above the expected bound, so that a hang shows up as a measured time rather than a test timeout.
  const res = await fetch(url, {
    headers: token ? { authorization: `Bearer ${token}` } : {},
    signal: AbortSignal.timeout(15_000),
  });
  const body = await res.text();
  return {
    status: res.status,
    elapsedMs: Date.now() - t0,
    contentType: res.headers.get('content-type'),
    retryAfter: res.headers.get('retry-after'),
    body,
  };
}

async function waitForAuthorized(url: string, token: string, timeoutMs: number): Promise<number> {
  const t0 = Date.now();
  let last: unknown;
  while (Date.now() - t0 < timeoutMs) {
    try {
      const res = await fetch(url, {
        headers: { authorization: `Bearer ${token}` },
        signal: AbortSignal.timeout(5_000),
      });
      await res.arrayBuffer();
      if (res.status === 200) return Date.now() - t0;
      last = res.status;
    } catch (error) {
      last = error;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${url} did not answer 200 within ${timeoutMs} ms (last: ${String(last)})`);
}

/**
 * A route that reads PostgreSQL on every request: the caller's profile. (Catalog reads may be answered from the
 * response cache, and authentication reuses its lookups for a second, so they can succeed during an outage.)
 */
const NEEDS_DB = '/v1/users/me';

describe.skipIf(!pg)(`PostgreSQL faults against the built app${pg ? '' : ` (SKIPPED: ${skipReason})`}`, () => {
  let proc: RunningProcess;
  let base: string;
  let token: string;
  let pid: number | undefined;

  const diagnostics = (): string =>
    `\n--- app stdout ---\n${proc?.stdout().slice(-4000)}\n--- app stderr ---\n${proc?.stderr().slice(-4000)}\n--- postgres log ---\n${pg?.log().slice(-2000)}`;

  beforeAll(async () => {
    ({ proc, base } = await startBuiltApi({
      DATABASE_URL: pg!.url,
      DB_CONNECT_TIMEOUT_MS: '1000',
      DB_STATEMENT_TIMEOUT_MS: '1500',
      LOG_LEVEL: 'warn',
      ADMIN_EMAIL: ADMIN.email,
      ADMIN_PASSWORD: ADMIN.password,
      RATE_LIMIT_PER_MINUTE: '100000',
      SHUTDOWN_DRAIN_MS: '0',
      // Live events read the outbox this often while a stream is open: several times during an outage.
      EVENTS_POLL_INTERVAL_MS: '100',
    }));
    pid = proc.child.pid;
    try {
      await waitForStatus(`${base}/health/ready`, 200, 20_000);
    } catch (error) {
      throw new Error(`${(error as Error).message}${diagnostics()}`);
    }
    token = await adminWithProduct(base, ADMIN, {
      sku: 'FAULT-1',
      name: 'Fault product',
      priceCents: 1234,
      currency: 'EUR',
      stock: 5,
    });
    expect((await timedGet(`${base}${NEEDS_DB}`, token)).status).toBe(200);
  });

  afterAll(async () => {
    pg?.thaw();
    if (proc && proc.child.exitCode === null && proc.child.signalCode === null) {
      proc.child.kill('SIGKILL');
      await proc.exited;
    }
    await pg?.destroy();
  });

  const expectAlive = (): void => {
    expect(proc.child.exitCode, `the app exited${diagnostics()}`).toBeNull();
    expect(proc.child.signalCode).toBeNull();
    expect(proc.child.pid).toBe(pid);
  };

  const expectFastUnavailable = (res: Timed, boundMs: number): void => {
    expect(res.elapsedMs, `took ${res.elapsedMs} ms${diagnostics()}`).toBeLessThan(boundMs);
    expect(res.status, `body: ${res.body}${diagnostics()}`).toBe(503);
    expect(res.contentType).toMatch(/^application\/problem\+json/);
    expect(res.retryAfter).toMatch(/^\d+$/);
  };

  /** Readiness answers 503 (within the DB timeouts) while liveness stays a fast 200. */
  async function expectNotReadyButLive(): Promise<void> {
    const ready = await timedGet(`${base}/health/ready`);
    expect(ready.elapsedMs).toBeLessThan(4_000);
    expect(ready.status).toBe(503);
    const live = await timedGet(`${base}/health/live`);
    expect(live.status).toBe(200);
    expect(live.elapsedMs).toBeLessThan(1_000);
  }

  it('PostgreSQL stopped: 503 + Retry-After fast, not ready, still live; back: the same process serves 200', async () => {
    // A live order event stream stays open through the outage (its reader of the outbox fails and retries) and
    // gets the events of orders placed once PostgreSQL is back.
    const stream = await SseClient.connect(`${base}/v1/orders/events`, { authorization: `Bearer ${token}` });
    expect(stream.status).toBe(200);
    await pg!.stop('fast');
    try {
      const data = await timedGet(`${base}${NEEDS_DB}`, token);
      expectFastUnavailable(data, 4_000);
      expect(JSON.parse(data.body)).toMatchObject({ status: 503 });
      // A second one: the pool must not be wedged by the first failure.
      expectFastUnavailable(await timedGet(`${base}${NEEDS_DB}`, token), 4_000);

      await expectNotReadyButLive();
      expectAlive();
    } finally {
      await pg!.start();
    }

    await waitForAuthorized(`${base}${NEEDS_DB}`, token, 10_000);
    await waitForStatus(`${base}/health/ready`, 200, 10_000);
    expectAlive();

    const auth = { authorization: `Bearer ${token}` };
    const listed = await fetch(`${base}/v1/products?q=FAULT-1`, { headers: auth });
    const products = (await listed.json()) as { data: Array<{ id: string }> };
    const placed = await fetch(`${base}/v1/orders`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...auth },
      body: JSON.stringify({ items: [{ productId: products.data[0]!.id, quantity: 1 }] }),
    });
    expect(placed.status, await placed.clone().text()).toBe(201);
    const order = (await placed.json()) as { id: string };
    await stream.until(() => stream.messages.length === 1, 10_000, 'the order placed after the outage');
    expect(stream.isEnded).toBe(false);
    expect(JSON.parse(stream.messages[0]!.data)).toMatchObject({ orderId: order.id, status: 'pending' });
    // Its reader did fail meanwhile, and said so.
    expect(proc.stdout()).toContain('Could not read the outbox for live events');
    stream.close();
    expect(proc.stderr()).not.toMatch(/uncaught|unhandled/i);
  });

  it('PostgreSQL frozen (SIGSTOP): requests fail with 503 instead of hanging, still live; SIGCONT: recovery', async () => {
    // Warm the pool so that some requests go to (soon frozen) open connections and others must connect anew.
    await Promise.all(Array.from({ length: 4 }, () => timedGet(`${base}${NEEDS_DB}`, token)));
    await pg!.freeze();
    try {
      const results = await Promise.all(Array.from({ length: 3 }, () => timedGet(`${base}${NEEDS_DB}`, token)));
      for (const res of results) expectFastUnavailable(res, 4_000);

      await expectNotReadyButLive();

      // A fresh request after the pool has seen failures also fails fast.
      expectFastUnavailable(await timedGet(`${base}${NEEDS_DB}`, token), 4_000);
      expectAlive();
    } finally {
      pg!.thaw();
    }

    await waitForAuthorized(`${base}${NEEDS_DB}`, token, 10_000);
    await waitForStatus(`${base}/health/ready`, 200, 10_000);
    expectAlive();
  });
});
