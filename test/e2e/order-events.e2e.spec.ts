import { randomUUID } from 'node:crypto';
import { connect } from 'node:net';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DatabaseClient, rowsOf } from '@app/database';
import { adminEnv, authHeader, claimsFrom, signHmac, type TestUser } from '../support/auth';
import { pgliteTier, type TestDatabase } from '../support/databases';
import { type OrderBody, ShopApi } from '../support/shop';
import { SseClient } from '../support/sse';
import { bootTestApp, type TestApp } from '../support/test-app';

interface OrderEventData {
  orderId: string;
  userId: string;
  status: string;
  from?: string;
  version?: number;
  totalCents?: number;
  currency?: string;
  occurredAt: string;
}

const eventIdsOf = async (t: TestApp, orderId: string): Promise<string[]> =>
  rowsOf<{ id: string }>(
    await t.app
      .get(DatabaseClient)
      .db.execute(sql`select id from outbox_events where aggregate_id = ${orderId} order by position`),
  ).map((row) => row.id);

/** Live order updates on the embedded default (PGlite, no NATS): this process's own commits, after each commit. */
describe('GET /v1/orders/events (server-sent events, embedded default)', () => {
  let db: TestDatabase;
  let t: TestApp;
  let api: ShopApi;
  let alice: TestUser;
  let bob: TestUser;
  let productId: string;
  const streams: SseClient[] = [];
  /** Raw clients that send a stream request and leave at once. */
  const LEFT_EARLY = 6;

  const openStream = async (token: string | undefined, query = '', headers: Record<string, string> = {}) => {
    const client = await SseClient.connect(`${t.url}/v1/orders/events${query}`, {
      ...(token ? authHeader(token) : {}),
      ...headers,
    });
    streams.push(client);
    return client;
  };
  const place = (user: TestUser): Promise<OrderBody> =>
    api.order(user.tokens.accessToken, [{ productId, quantity: 1 }]);

  beforeAll(async () => {
    db = await pgliteTier.create();
    t = await bootTestApp(
      { ...db.env, ...adminEnv(), SSE_HEARTBEAT_MS: '200', SSE_RETRY_MS: '1500', SSE_MAX_STREAMS_PER_USER: '3' },
      { listen: true },
    );
    api = await new ShopApi(t.app).init();
    [alice, bob] = await api.newUsers(2);
    productId = (await api.createProduct({ stock: 1000 })).id;
  });
  afterAll(async () => {
    for (const client of streams) client.close();
    await t?.close();
    await db?.cleanup();
  });

  it('streams the caller’s own order events, with the event id, name and a JSON data line', async () => {
    const stream = await openStream(alice.tokens.accessToken);
    expect(stream.status).toBe(200);
    expect(stream.headers['content-type']).toBe('text/event-stream; charset=utf-8');
    expect(stream.headers['cache-control']).toBe('no-cache, no-store');
    expect(stream.headers['x-content-type-options']).toBe('nosniff');
    expect(stream.headers['x-request-id']).toBeTruthy();
    expect(stream.headers['content-encoding']).toBeUndefined();

    let order = await place(alice);
    await stream.until(() => stream.messages.length === 1);
    order = await api.advanceOrder(order, 'paid');
    await stream.until(() => stream.messages.length === 2);
    expect(stream.messages.map((m) => m.event)).toEqual(['order.placed', 'order.status-changed']);
    expect(stream.messages.map((m) => m.id)).toEqual(await eventIdsOf(t, order.id));
    const [placed, paid] = stream.data<OrderEventData>();
    expect(placed).toEqual({
      orderId: order.id,
      userId: alice.id,
      status: 'pending',
      totalCents: order.totalCents,
      currency: order.currency,
      occurredAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
    });
    expect(paid).toMatchObject({ orderId: order.id, userId: alice.id, status: 'paid', from: 'pending', version: 2 });
    expect(stream.retry).toBe(1500);
  });

  it("never shows another user's orders; an admin sees every order, or one user's with userId", async () => {
    const aliceStream = await openStream(alice.tokens.accessToken);
    const admin = await openStream(api.adminToken);
    const adminForBob = await openStream(api.adminToken, `?userId=${bob.id}`);
    // A user's own userId filter is ignored: still only their own orders.
    const bobAsking = await openStream(bob.tokens.accessToken, `?userId=${alice.id}`);

    const bobs = await place(bob);
    const alices = await place(alice);
    await admin.until(() => admin.messages.length === 2);
    await aliceStream.until(() => aliceStream.messages.length === 1);
    await adminForBob.until(() => adminForBob.messages.length === 1);
    await bobAsking.until(() => bobAsking.messages.length === 1);
    expect(admin.data<OrderEventData>().map((d) => d.orderId)).toEqual([bobs.id, alices.id]);
    expect(aliceStream.data<OrderEventData>().map((d) => d.orderId)).toEqual([alices.id]);
    expect(adminForBob.data<OrderEventData>().map((d) => d.orderId)).toEqual([bobs.id]);
    expect(bobAsking.data<OrderEventData>().map((d) => d.orderId)).toEqual([bobs.id]);
    for (const client of [aliceStream, admin, adminForBob, bobAsking]) client.close();
  });

  it('sends a heartbeat comment on a quiet stream', async () => {
    const stream = await openStream(bob.tokens.accessToken);
    await stream.until(() => stream.comments.filter((c) => c === 'heartbeat').length >= 2, 3_000, 'heartbeats');
    stream.close();
  });

  it('resumes after Last-Event-ID with what was missed, in order, then goes on live', async () => {
    const first = await openStream(alice.tokens.accessToken);
    const order = await place(alice);
    await first.until(() => first.messages.length === 1);
    const lastSeen = first.messages[0]!.id!;
    first.close();

    // Missed while disconnected: payment and cancellation of that order, and a new order.
    const paid = await api.advanceOrder(order, 'paid');
    expect((await api.cancelOrder(alice.tokens.accessToken, paid.id)).statusCode).toBe(200);
    const next = await place(alice);

    const resumed = await openStream(alice.tokens.accessToken, '', { 'last-event-id': lastSeen });
    await resumed.until(() => resumed.messages.length === 3);
    expect(resumed.messages.map((m) => m.event)).toEqual(['order.status-changed', 'order.cancelled', 'order.placed']);
    expect(resumed.data<OrderEventData>().map((d) => [d.orderId, d.status])).toEqual([
      [order.id, 'paid'],
      [order.id, 'cancelled'],
      [next.id, 'pending'],
    ]);
    const live = await place(alice);
    await resumed.until(() => resumed.messages.length === 4);
    expect(resumed.data<OrderEventData>()[3]!.orderId).toBe(live.id);
    expect(new Set(resumed.messages.map((m) => m.id)).size).toBe(4);
    resumed.close();
  });

  it('answers an unknown Last-Event-ID (purged, or not the caller’s) with a gap event that resets the id', async () => {
    const stranger = await openStream(bob.tokens.accessToken, '', { 'last-event-id': randomUUID() });
    await stranger.until(() => stranger.messages.length === 1);
    expect(stranger.messages[0]).toMatchObject({ event: 'gap', id: '' });
    expect(JSON.parse(stranger.messages[0]!.data)).toMatchObject({ reason: 'unknown' });
    // Another user's event id is no starting point either.
    const alicesEvent = (await eventIdsOf(t, (await place(alice)).id))[0]!;
    const prying = await openStream(bob.tokens.accessToken, '', { 'last-event-id': alicesEvent });
    await prying.until(() => prying.messages.length === 1);
    expect(prying.messages[0]!.event).toBe('gap');
    stranger.close();
    prying.close();
  });

  it('refuses bad requests with problem+json before anything is streamed', async () => {
    const anonymous = await openStream(undefined);
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers['content-type']).toContain('application/problem+json');
    const badId = await openStream(alice.tokens.accessToken, '', { 'last-event-id': 'not-an-id' });
    expect(badId.status).toBe(400);
    expect(JSON.parse(badId.body)).toMatchObject({ errors: [{ field: 'Last-Event-ID' }] });
    const badQuery = await openStream(api.adminToken, '?userId=nope');
    expect(badQuery.status).toBe(400);
  });

  it('answers HEAD with the head of a stream at once, and opens none', async () => {
    const [dave] = await api.newUsers(1);
    for (let i = 0; i < 5; i++) {
      const res = await fetch(`${t.url}/v1/orders/events`, {
        method: 'HEAD',
        headers: authHeader(dave!.tokens.accessToken),
        signal: AbortSignal.timeout(2_000),
      });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
      expect(res.headers.get('cache-control')).toBe('no-cache, no-store');
    }
    // None of them holds one of the user's 3 slots.
    const held = await Promise.all([1, 2, 3].map(() => openStream(dave!.tokens.accessToken)));
    expect(held.map((client) => client.status)).toEqual([200, 200, 200]);
    for (const client of held) client.close();
  });

  it('holds at most SSE_MAX_STREAMS_PER_USER streams per user (429 beyond), and frees a slot when one closes', async () => {
    const [carol] = await api.newUsers(1);
    const held = await Promise.all([1, 2, 3].map(() => openStream(carol!.tokens.accessToken)));
    expect(held.map((s) => s.status)).toEqual([200, 200, 200]);
    const refused = await openStream(carol!.tokens.accessToken);
    expect(refused.status).toBe(429);
    expect(refused.headers['retry-after']).toBe('2');
    expect(JSON.parse(refused.body)).toMatchObject({ type: 'https://errors.example.dev/too-many-streams' });
    held[0]!.close();
    await expect
      .poll(async () => {
        const again = await openStream(carol!.tokens.accessToken);
        again.close();
        return again.status;
      })
      .toBe(200);
    for (const client of held) client.close();
  });

  it('clients that ask for a stream and leave at once hold no slot', async () => {
    const [erin] = await api.newUsers(1);
    const { port } = new URL(t.url!);
    for (let i = 0; i < LEFT_EARLY; i++) {
      await new Promise<void>((resolve) => {
        const socket = connect(Number(port), '127.0.0.1', () => {
          socket.end(
            `GET /v1/orders/events HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${erin!.tokens.accessToken}\r\n\r\n`,
          );
          socket.destroy();
          resolve();
        });
      });
    }
    await new Promise((resolve) => setTimeout(resolve, 300));
    const held = await Promise.all([1, 2, 3].map(() => openStream(erin!.tokens.accessToken)));
    expect(held.map((s) => s.status)).toEqual([200, 200, 200]);
    for (const client of held) client.close();
  });

  it('ends the stream when the access token expires', async () => {
    const shortLived = await signHmac(claimsFrom(alice.tokens.accessToken, { exp: Math.floor(Date.now() / 1000) + 2 }));
    const stream = await openStream(shortLived);
    expect(stream.status).toBe(200);
    await Promise.race([
      stream.ended,
      new Promise((_, reject) => setTimeout(() => reject(new Error('still open')), 5_000)),
    ]);
  });

  it('counts streams and messages in /metrics', async () => {
    const stream = await openStream(alice.tokens.accessToken);
    await place(alice);
    await stream.until(() => stream.messages.length === 1);
    const text = (await t.app.inject({ method: 'GET', url: '/metrics' })).body;
    expect(text).toMatch(/^sse_streams_open\{stream="orders"\} [1-9]/m);
    expect(text).toMatch(/^sse_messages_total\{stream="orders",event="order\.placed"\} [1-9]/m);
    expect(text).toMatch(/^sse_streams_rejected_total\{stream="orders",reason="per_user"\} [1-9]/m);
    expect(text).toMatch(/^sse_streams_ended_total\{stream="orders",reason="expired"\} 1$/m);
    // Each stream counts once as an answered request (when it starts), whether or not it has ended.
    const answered = Number(
      /^http_requests_total\{method="GET",route="\/v1\/orders\/events",status="200"\} (\d+)$/m.exec(text)?.[1],
    );
    // The clients that left before their stream started were answered too (the head went to a closed socket).
    expect(answered).toBe(streams.filter((s) => s.status === 200).length + LEFT_EARLY);
    stream.close();
  });
});

describe('GET /v1/orders/events and the server timeouts', () => {
  it('stays open past the head, body, keep-alive and handler timeouts, uncompressed whatever the client accepts', async () => {
    const db = await pgliteTier.create();
    const t = await bootTestApp(
      {
        ...db.env,
        ...adminEnv(),
        HTTP_HEADERS_TIMEOUT_MS: '200',
        HTTP_BODY_TIMEOUT_MS: '300',
        HTTP_KEEP_ALIVE_TIMEOUT_MS: '200',
        REQUEST_TIMEOUT_MS: '200',
        SSE_HEARTBEAT_MS: '60000',
      },
      { listen: true },
    );
    try {
      const api = await new ShopApi(t.app).init();
      const [dave] = await api.newUsers(1);
      const productId = (await api.createProduct({ stock: 5 })).id;
      const stream = await SseClient.connect(`${t.url}/v1/orders/events`, {
        ...authHeader(dave!.tokens.accessToken),
        'accept-encoding': 'gzip, deflate, br',
      });
      expect(stream.status).toBe(200);
      expect(stream.headers['content-encoding']).toBeUndefined();
      // Node checks its timeouts every second: three checks pass while the stream is quiet.
      await new Promise((resolve) => setTimeout(resolve, 3_000));
      expect(stream.isEnded).toBe(false);
      const order = await api.order(dave!.tokens.accessToken, [{ productId, quantity: 1 }]);
      await stream.until(() => stream.data<OrderEventData>().some((d) => d.orderId === order.id));
      stream.close();
    } finally {
      await t.close();
      await db.cleanup();
    }
  });
});

describe('GET /v1/orders/events at shutdown', () => {
  it('ends open streams so that closing the app never waits on them', async () => {
    const db = await pgliteTier.create();
    const t = await bootTestApp({ ...db.env, ...adminEnv() }, { listen: true });
    try {
      const api = await new ShopApi(t.app).init();
      const streams = await Promise.all(
        [1, 2].map(() => SseClient.connect(`${t.url}/v1/orders/events`, authHeader(api.adminToken))),
      );
      expect(streams.map((s) => s.status)).toEqual([200, 200]);
      const started = Date.now();
      await t.close();
      expect(Date.now() - started).toBeLessThan(5_000);
      await Promise.all(streams.map((s) => s.ended));
    } finally {
      await db.cleanup();
    }
  });
});
