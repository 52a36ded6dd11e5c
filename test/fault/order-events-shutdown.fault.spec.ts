import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ADMIN } from '../support/auth';
import { PgliteTemplate } from '../support/pglite-template';
import { adminWithProduct, assertBuilt, type RunningProcess, startBuiltApi, waitForStatus } from '../support/processes';
import { SseClient } from '../support/sse';

const DRAIN_MS = 1_000;
const TIMEOUT_MS = 5_000;

/**
 * SIGTERM on the built API while clients hold event streams: during the drain the streams still carry events (the
 * pod is still routed to), then they end before the server closes, and the process exits 0 within the bound.
 */
describe('SIGTERM on the built API with open event streams', () => {
  let proc: RunningProcess;
  let base: string;
  let cleanup: () => void;
  let adminToken: string;
  let productId: string;

  beforeAll(async () => {
    assertBuilt();
    const clone = PgliteTemplate.clone(inject('pgliteTemplateDir'));
    cleanup = clone.cleanup;
    ({ proc, base } = await startBuiltApi({
      DATA_DIR: clone.dataDir,
      ADMIN_EMAIL: ADMIN.email,
      ADMIN_PASSWORD: ADMIN.password,
      SHUTDOWN_DRAIN_MS: String(DRAIN_MS),
      SHUTDOWN_TIMEOUT_MS: String(TIMEOUT_MS),
    }));
    await waitForStatus(`${base}/health/ready`, 200);
    adminToken = await adminWithProduct(base, ADMIN, {
      sku: 'SSE-SHUTDOWN-1',
      name: 'Stream',
      priceCents: 100,
      currency: 'EUR',
      stock: 100,
    });
    const products = (await (
      await fetch(`${base}/v1/products?limit=1`, { headers: { authorization: `Bearer ${adminToken}` } })
    ).json()) as { data: Array<{ id: string }> };
    productId = products.data[0]!.id;
  });
  afterAll(() => {
    if (proc.child.exitCode === null) proc.child.kill('SIGKILL');
    cleanup?.();
  });

  it('keeps streaming through the drain, then ends every stream and exits 0 within the bound', async () => {
    const streams = await Promise.all(
      [1, 2, 3].map(() => SseClient.connect(`${base}/v1/orders/events`, { authorization: `Bearer ${adminToken}` })),
    );
    expect(streams.map((s) => s.status)).toEqual([200, 200, 200]);

    const signalled = Date.now();
    proc.child.kill('SIGTERM');
    await waitForStatus(`${base}/health/ready`, 503, 1_000);
    // Still routed during the drain: an order placed now reaches every open stream.
    const placed = await fetch(`${base}/v1/orders`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${adminToken}` },
      body: JSON.stringify({ items: [{ productId, quantity: 1 }] }),
    });
    expect(placed.status).toBe(201);
    const order = (await placed.json()) as { id: string };
    for (const stream of streams) {
      await stream.until(() => stream.data<{ orderId: string }>().some((d) => d.orderId === order.id), 2_000);
    }

    await Promise.all(streams.map((s) => s.ended));
    const { code } = await proc.exited;
    expect(code).toBe(0);
    expect(Date.now() - signalled).toBeLessThan(DRAIN_MS + TIMEOUT_MS);
    expect(proc.stdout()).toContain('ending 3 event stream(s) for shutdown');
  });
});
