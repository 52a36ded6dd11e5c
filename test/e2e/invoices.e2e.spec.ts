import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DatabaseClient, rowsOf } from '@app/database';
import { InvoiceIssuer } from '@app/invoices';
import { adminEnv, authHeader, expectProblem, expectUnauthorized, invalidFields, type TestUser } from '../support/auth';
import { describeEachDatabase, postgresTier, type TestDatabase } from '../support/databases';
import { loadOpenApi, ResponseContract } from '../support/fuzz/openapi-document';
import { natsSkipReason, openTestNats, type TestNats } from '../support/nats';
import { type OrderBody, PROBLEM, ShopApi } from '../support/shop';
import { bootTestApp, type TestApp } from '../support/test-app';
import { bootTestWorker, until } from '../support/worker';

const UNKNOWN = '00000000-0000-4000-8000-000000000000';

const getInvoice = (app: TestApp, user: TestUser | string, orderId: string, headers: Record<string, string> = {}) =>
  app.app.inject({
    method: 'GET',
    url: `/v1/orders/${orderId}/invoice`,
    headers: { ...authHeader(typeof user === 'string' ? user : user.tokens.accessToken), ...headers },
  });

/** Polls until the invoice is no longer being made (202), then returns that answer. */
async function readyInvoice(app: TestApp, user: TestUser | string, orderId: string) {
  let res = await getInvoice(app, user, orderId);
  const deadline = Date.now() + 15_000;
  while (res.statusCode === 202 && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    res = await getInvoice(app, user, orderId);
  }
  return res;
}

const invoiceRows = async (app: TestApp, orderId: string) =>
  rowsOf<{ order_id: string; size_bytes: number; sha256: string; number: string }>(
    await app.app
      .get(DatabaseClient)
      .db.execute(sql`select order_id, size_bytes, sha256, number from invoices where order_id = ${orderId}`),
  );

const expectPdf = (res: Awaited<ReturnType<typeof getInvoice>>): Buffer => {
  expect(res.statusCode, res.body).toBe(200);
  expect(res.headers['content-type']).toBe('application/pdf');
  // As every authenticated answer: an invoice holds personal data, no cache may keep it.
  expect(res.headers['cache-control']).toBe('no-store');
  expect(res.headers['content-disposition']).toMatch(/^inline; filename="invoice-INV-[0-9A-F]{12}\.pdf"$/);
  expect(res.headers.etag).toMatch(/^"[0-9a-f]{64}"$/);
  const body = res.rawPayload;
  expect(body.subarray(0, 5).toString('latin1')).toBe('%PDF-');
  expect(body.length).toBeGreaterThan(500);
  return body;
};

/**
 * Invoice PDFs on the embedded default (no NATS_URL): the API makes them itself (its in-process subscriber, rendering
 * in the renderer's worker threads) and serves them to the order's customer and to admins.
 */
describeEachDatabase('invoice PDFs, made by the API itself (no NATS_URL)', (tier) => {
  let db: TestDatabase;
  let t: TestApp;
  let shop: ShopApi;
  let alice: TestUser;
  let bob: TestUser;

  beforeAll(async () => {
    db = await tier.create();
    t = await bootTestApp({ ...db.env, ...adminEnv(), EVENTS_POLL_INTERVAL_MS: '100' });
    shop = await new ShopApi(t.app).init();
    [alice, bob] = await shop.newUsers(2, 'Alice');
  });
  afterAll(async () => {
    await t?.close();
    await db?.cleanup();
  });

  const newOrder = async (): Promise<OrderBody> => {
    const product = await shop.createProduct({ stock: 10, priceCents: 1250 });
    return shop.order(alice.tokens.accessToken, [{ productId: product.id, quantity: 2 }]);
  };

  it('an unpaid order has none (404); once paid, its customer and admins get the PDF, with an ETag', async () => {
    const order = await newOrder();
    const unpaid = expectProblem(await getInvoice(t, alice, order.id), 404);
    expect(unpaid).toMatchObject({ type: PROBLEM.notFound, detail: 'This order has no invoice: it is not paid yet' });

    await shop.advanceOrder(order, 'paid');
    const pdf = expectPdf(await readyInvoice(t, alice, order.id));
    const res = await getInvoice(t, alice, order.id);
    expect(res.headers['content-disposition']).toBe(
      `inline; filename="invoice-INV-${order.id.replace(/-/g, '').slice(0, 12).toUpperCase()}.pdf"`,
    );
    expect(expectPdf(await getInvoice(t, shop.adminToken, order.id)).equals(pdf)).toBe(true);

    const etag = res.headers.etag as string;
    const notModified = await getInvoice(t, alice, order.id, { 'if-none-match': etag });
    expect(notModified.statusCode).toBe(304);
    expect(notModified.body).toBe('');
    expect(notModified.headers.etag).toBe(etag);
    expect((await getInvoice(t, alice, order.id, { 'if-none-match': '"v1"' })).statusCode).toBe(200);

    const [row] = await invoiceRows(t, order.id);
    expect(row).toMatchObject({ size_bytes: pdf.length, sha256: etag.slice(1, -1) });
  });

  it("another user's order and a missing one answer the same 404; a bad id 400; no token 401", async () => {
    const order = await newOrder();
    await shop.advanceOrder(order, 'paid');
    expectPdf(await readyInvoice(t, alice, order.id));
    const theirs = expectProblem(await getInvoice(t, bob, order.id), 404);
    const missing = expectProblem(await getInvoice(t, bob, UNKNOWN), 404);
    expect(theirs.detail).toBe('No such order');
    expect(missing.detail).toBe(theirs.detail);
    expect(invalidFields(await getInvoice(t, alice, 'not-a-uuid'))).toEqual(['id']);
    expectUnauthorized(await t.app.inject({ method: 'GET', url: `/v1/orders/${order.id}/invoice` }));
  });

  it('a paid order whose invoice is not made yet answers 202 with Retry-After', async () => {
    // Paid without the event (a status written straight to the table): nothing makes its invoice, so the state
    // "paid, invoice not there yet" holds for as long as the test looks at it.
    const order = await newOrder();
    await t.app
      .get(DatabaseClient)
      .db.execute(sql`update orders set status = 'paid', paid_at = now() where id = ${order.id}`);
    const res = await getInvoice(t, alice, order.id);
    expect(res.statusCode, res.body).toBe(202);
    expect(res.headers['retry-after']).toBe('2');
    expect(res.json()).toEqual({ orderId: order.id, status: 'pending' });
    expect((await getInvoice(t, bob, order.id)).statusCode).toBe(404);

    // The maker (here called directly, as the subscriber or the worker job would) stores it once.
    const issuer = t.app.get(InvoiceIssuer);
    const paidAt = new Date('2026-11-29T10:00:00Z');
    const results = await Promise.all([
      issuer.issue({ orderId: order.id, paidAt }),
      issuer.issue({ orderId: order.id, paidAt }),
    ]);
    expect(results.filter(Boolean)).toHaveLength(1);
    expect(await issuer.issue({ orderId: order.id, paidAt })).toBe(false);
    expect(await invoiceRows(t, order.id)).toHaveLength(1);
    expectPdf(await getInvoice(t, alice, order.id));
  });

  it('answers as openapi.json documents: 200 PDF, 202, 304 and 404', async () => {
    const contract = new ResponseContract(loadOpenApi());
    const paid = await shop.advanceOrder(await newOrder(), 'paid');
    const pending = await newOrder();
    await t.app
      .get(DatabaseClient)
      .db.execute(sql`update orders set status = 'paid', paid_at = now() where id = ${pending.id}`);
    const ok = await readyInvoice(t, alice, paid.id);
    const answers = [
      ok,
      await getInvoice(t, alice, paid.id, { 'if-none-match': ok.headers.etag as string }),
      await getInvoice(t, alice, pending.id),
      await getInvoice(t, bob, paid.id),
    ];
    expect(answers.map((res) => res.statusCode)).toEqual([200, 304, 202, 404]);
    for (const res of answers) {
      const op = contract.find('GET', `/v1/orders/${paid.id}/invoice`);
      expect(op?.label).toBe('GET /v1/orders/{id}/invoice');
      expect(
        contract.check(op!, {
          status: res.statusCode,
          headers: res.headers as Record<string, string | string[] | undefined>,
          body: res.body,
        }),
      ).toEqual([]);
    }
  });

  it('a cancelled order has an invoice only if it was paid before', async () => {
    const never = await newOrder();
    expect((await shop.cancelOrder(alice.tokens.accessToken, never.id)).statusCode).toBe(200);
    expect(expectProblem(await getInvoice(t, alice, never.id), 404).detail).toBe(
      'This order has no invoice: it was cancelled before it was paid',
    );

    const paid = await shop.advanceOrder(await newOrder(), 'paid');
    expectPdf(await readyInvoice(t, alice, paid.id));
    expect((await shop.cancelOrder(alice.tokens.accessToken, paid.id)).statusCode).toBe(200);
    expectPdf(await getInvoice(t, alice, paid.id));
    expect(await invoiceRows(t, paid.id)).toHaveLength(1);
  });

  it('shipping and delivering make no second invoice', async () => {
    const order = await shop.advanceOrder(await newOrder(), 'paid');
    const first = expectPdf(await readyInvoice(t, alice, order.id));
    await shop.advanceOrder(order, 'shipped', 'delivered');
    await until('the later events delivered', async () => {
      const [row] = rowsOf<{ n: number }>(
        await t.app
          .get(DatabaseClient)
          .db.execute(sql`select count(*)::int as n from event_deliveries where state = 'pending'`),
      );
      return row!.n === 0;
    });
    expect(await invoiceRows(t, order.id)).toHaveLength(1);
    expect(expectPdf(await getInvoice(t, alice, order.id)).equals(first)).toBe(true);
  });
});

/** With NATS_URL the API does not make invoices: the worker's `invoices` job does, and the API serves them. */
const workerSkip = natsSkipReason ?? postgresTier.skipReason;
describe.skipIf(workerSkip !== undefined)(
  `invoice PDFs made by the worker (NATS_URL set)${workerSkip ? ` (skipped: ${workerSkip})` : ''}`,
  () => {
    let db: TestDatabase;
    let nats: TestNats;
    let api: TestApp;
    let worker: Awaited<ReturnType<typeof bootTestWorker>> | undefined;
    let shop: ShopApi;
    let alice: TestUser;

    beforeAll(async () => {
      db = await postgresTier.create();
      nats = await openTestNats();
      api = await bootTestApp({ ...db.env, ...adminEnv(), ...nats.env, EVENTS_POLL_INTERVAL_MS: '100' });
      shop = await new ShopApi(api.app).init();
      [alice] = await shop.newUsers(1, 'Alice');
    });
    afterAll(async () => {
      await worker?.stop();
      await api?.close();
      await nats?.cleanup();
      await db?.cleanup();
    });

    it('the API alone answers 202 (it does not render); the worker makes the invoice once, the API serves it', async () => {
      const product = await shop.createProduct({ stock: 10 });
      const order = await shop.advanceOrder(
        await shop.order(alice.tokens.accessToken, [{ productId: product.id, quantity: 1 }]),
        'paid',
      );
      // Paid, then cancelled before its invoice was made: the invoice is still owed.
      const cancelled = await shop.advanceOrder(
        await shop.order(alice.tokens.accessToken, [{ productId: product.id, quantity: 1 }]),
        'paid',
      );
      expect((await shop.cancelOrder(alice.tokens.accessToken, cancelled.id)).statusCode).toBe(200);
      // No worker yet: the event waits in JetStream, and the API, which has no subscriber with NATS_URL, renders none.
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect((await getInvoice(api, alice, order.id)).statusCode).toBe(202);
      expect((await getInvoice(api, alice, cancelled.id)).statusCode).toBe(202);
      const [deliveries] = rowsOf<{ n: number }>(
        await api.app
          .get(DatabaseClient)
          .db.execute(sql`select count(*)::int as n from event_deliveries where subscriber = 'invoices.order-paid'`),
      );
      expect(deliveries!.n).toBe(0);

      worker = await bootTestWorker({ ...db.env, ...nats.env, MAILER_TRANSPORT: 'log' });
      const pdf = expectPdf(await readyInvoice(api, alice, order.id));
      expect(await invoiceRows(api, order.id)).toHaveLength(1);
      expectPdf(await readyInvoice(api, alice, cancelled.id));

      // The worker's event loop stayed free: the event-loop delay series are there to watch it.
      const metrics = await (await fetch(`${worker.base}/metrics`)).text();
      expect(metrics).toContain('nodejs_eventloop_lag_p99_seconds');
      expect(metrics).toMatch(/worker_jobs_total\{job="invoices",outcome="done"\} [1-9]/);
      expect(expectPdf(await getInvoice(api, shop.adminToken, order.id)).equals(pdf)).toBe(true);
    });
  },
);
