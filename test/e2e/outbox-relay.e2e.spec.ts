import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DatabaseClient, rowsOf } from '@app/database';
import { OutboxRelay } from '@app/events';
import { adminEnv, type TestUser } from '../support/auth';
import { describeEachDatabase, postgresTier, type TestDatabase } from '../support/databases';
import { natsSkipReason, openTestNats, PrivateNats, type TestNats } from '../support/nats';
import { ShopApi } from '../support/shop';
import { bootTestApp, type TestApp } from '../support/test-app';

interface Envelope {
  id: string;
  name: string;
  version: number;
  aggregateId: string;
  occurredAt: string;
  payload: Record<string, unknown>;
}

const decode = (data: Uint8Array): Envelope => JSON.parse(new TextDecoder().decode(data)) as Envelope;

const until = async (check: () => boolean | Promise<boolean>, ms = 8000): Promise<void> => {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
};

const outboxOf = async (t: TestApp, orderId: string) =>
  rowsOf<{ id: string; name: string; published_at: Date | null }>(
    await t.app
      .get(DatabaseClient)
      .db.execute(
        sql`select id, name, published_at from outbox_events where aggregate_id = ${orderId} order by position`,
      ),
  );

const metric = async (t: TestApp, name: string): Promise<number> => {
  const text = (await t.app.inject({ method: 'GET', url: '/metrics' })).body;
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  return Number(line?.split(' ').pop());
};

describe.skipIf(natsSkipReason !== undefined)(
  `outbox relay to NATS JetStream${natsSkipReason ? ` (skipped: ${natsSkipReason})` : ''}`,
  () => {
    describeEachDatabase('on the shared server', (tier) => {
      let db: TestDatabase;
      let nats: TestNats;
      let t: TestApp;
      let api: ShopApi;
      let alice: TestUser;

      beforeAll(async () => {
        db = await tier.create();
        nats = await openTestNats();
        t = await bootTestApp({ ...db.env, ...adminEnv(), ...nats.env, EVENTS_POLL_INTERVAL_MS: '100' });
        api = await new ShopApi(t.app).init();
        [alice] = await api.newUsers(1);
      });
      afterAll(async () => {
        await t?.close();
        await nats?.cleanup();
        await db?.cleanup();
      });

      it("publishes each order's events to its domain stream, in order, with the event id as message id", async () => {
        const product = await api.createProduct({ stock: 5 });
        let order = await api.order(alice.tokens.accessToken, [{ productId: product.id, quantity: 1 }]);
        order = await api.advanceOrder(order, 'paid');
        expect((await api.cancelOrder(alice.tokens.accessToken, order.id)).statusCode).toBe(200);

        await until(async () => (await outboxOf(t, order.id)).every((row) => row.published_at !== null));
        const recorded = await outboxOf(t, order.id);
        expect(recorded.map((row) => row.name)).toEqual(['order.placed', 'order.status-changed', 'order.cancelled']);

        const stream = `${nats.prefix.toUpperCase()}_ORDERS`;
        const messages = (await nats.messages(stream)).filter((m) => decode(m.data).aggregateId === order.id);
        expect(messages.map((m) => m.subject)).toEqual([
          `${nats.prefix}.orders.placed`,
          `${nats.prefix}.orders.status-changed`,
          `${nats.prefix}.orders.cancelled`,
        ]);
        expect(messages.map((m) => m.header?.get('Nats-Msg-Id'))).toEqual(recorded.map((row) => row.id));
        expect(decode(messages[0]!.data)).toMatchObject({
          id: recorded[0]!.id,
          name: 'order.placed',
          version: 1,
          payload: { orderId: order.id, userId: alice.id, status: 'pending' },
        });
        expect(messages[2]!.header?.get('Event-Name')).toBe('order.cancelled');
        // Product changes go to their own domain's stream.
        const products = await nats.messages(`${nats.prefix.toUpperCase()}_PRODUCTS`);
        expect(products.some((m) => decode(m.data).aggregateId === product.id)).toBe(true);
        await until(async () => (await metric(t, 'outbox_pending')) === 0);
      });

      it('reports NATS in readiness', async () => {
        const res = await t.app.inject({ method: 'GET', url: '/health/ready' });
        expect(res.statusCode).toBe(200);
      });
    });

    describe.skipIf(postgresTier.skipReason !== undefined)('two replicas relaying the same outbox (PostgreSQL)', () => {
      let db: TestDatabase;
      let nats: TestNats;
      let a: TestApp;
      let b: TestApp;

      beforeAll(async () => {
        db = await postgresTier.create();
        nats = await openTestNats();
        const env = { ...db.env, ...adminEnv(), ...nats.env, EVENTS_POLL_INTERVAL_MS: '50' };
        [a, b] = [await bootTestApp(env), await bootTestApp(env)];
      });
      afterAll(async () => {
        await a?.close();
        await b?.close();
        await nats?.cleanup();
        await db?.cleanup();
      });

      it('publishes every event once, each order in order, whichever replica made the change', async () => {
        const [apiA, apiB] = [await new ShopApi(a.app).init(), await new ShopApi(b.app).init()];
        const [user] = await apiA.newUsers(1);
        const product = await apiA.createProduct({ stock: 100 });
        const orders = await Promise.all(
          Array.from({ length: 12 }, async (_, i) => {
            const [api, other] = i % 2 === 0 ? [apiA, apiB] : [apiB, apiA];
            const order = await api.order((user as TestUser).tokens.accessToken, [
              { productId: product.id, quantity: 1 },
            ]);
            return other.advanceOrder(order, 'paid', 'shipped');
          }),
        );
        const all = async () =>
          rowsOf<{ id: string; aggregate_id: string; published_at: Date | null }>(
            await a.app
              .get(DatabaseClient)
              .db.execute(
                sql`select id, aggregate_id, published_at from outbox_events where aggregate_type = 'order' order by position`,
              ),
          );
        await until(async () => (await all()).every((row) => row.published_at !== null), 15_000);
        const received = (await nats.messages(`${nats.prefix.toUpperCase()}_ORDERS`)).map((m) => decode(m.data));
        const recorded = await all();
        expect(received).toHaveLength(recorded.length);
        for (const order of orders) {
          expect(received.filter((e) => e.aggregateId === order.id).map((e) => e.id)).toEqual(
            recorded.filter((row) => row.aggregate_id === order.id).map((row) => row.id),
          );
        }
        // Leases kept the replicas off each other's events: JetStream never had to drop a duplicate.
        const duplicates = async (t: TestApp) =>
          (await t.app.inject({ method: 'GET', url: '/metrics' })).body
            .split('\n')
            .filter((line) => line.startsWith('outbox_relayed_total{') && line.includes('outcome="duplicate"'))
            .reduce((sum, line) => sum + Number(line.split(' ').pop()), 0);
        expect((await duplicates(a)) + (await duplicates(b))).toBe(0);
      }, 60_000);
    });

    describe('NATS down while orders are placed (a private nats-server)', () => {
      let server: PrivateNats;
      let nats: TestNats;
      let t: TestApp;
      let api: ShopApi;
      let alice: TestUser;

      beforeAll(async () => {
        server = await PrivateNats.start();
        nats = await openTestNats(server.url);
        t = await bootTestApp({
          ...adminEnv(),
          ...nats.env,
          DATABASE_URL: 'memory://',
          EVENTS_POLL_INTERVAL_MS: '100',
          NATS_PUBLISH_TIMEOUT_MS: '500',
        });
        api = await new ShopApi(t.app).init();
        [alice] = await api.newUsers(1);
      });
      afterAll(async () => {
        await t?.close();
        await nats?.close();
        await server?.destroy();
      });

      it('requests still succeed, readiness stays 200 (degraded), nothing is lost, and the relay drains in order', async () => {
        const product = await api.createProduct({ stock: 50 });
        const first = await api.order(alice.tokens.accessToken, [{ productId: product.id, quantity: 1 }]);
        await until(async () => (await outboxOf(t, first.id)).every((row) => row.published_at !== null));

        await server.stop();
        const orders = [];
        for (let i = 0; i < 5; i++) {
          let order = await api.order(alice.tokens.accessToken, [{ productId: product.id, quantity: 1 }]);
          order = await api.advanceOrder(order, 'paid');
          orders.push(order);
        }
        const ready = await t.app.inject({ method: 'GET', url: '/health/ready' });
        expect(ready.statusCode).toBe(200);
        expect(ready.json()).toMatchObject({
          status: 'degraded',
          details: { nats: { status: 'degraded', message: 'unreachable' } },
        });
        await until(async () => (await metric(t, 'outbox_pending')) >= 10);
        expect(await metric(t, 'outbox_oldest_pending_seconds')).toBeGreaterThan(0);

        await server.start();
        await until(async () => (await metric(t, 'outbox_pending')) === 0, 20_000);
        await t.app.get(OutboxRelay).idle();

        const nats2 = await openTestNats(server.url);
        try {
          const stream = `${nats.prefix.toUpperCase()}_ORDERS`;
          const received = (await nats2.messages(stream)).map((m) => decode(m.data));
          for (const order of [first, ...orders]) {
            const recorded = await outboxOf(t, order.id);
            const published = received.filter((event) => event.aggregateId === order.id);
            // Exactly once each, in the order they were recorded.
            expect(published.map((event) => event.id)).toEqual(recorded.map((row) => row.id));
          }
        } finally {
          await nats2.cleanup();
        }
      }, 60_000);
    });
  },
);
