import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DatabaseClient, rowsOf } from '@app/database';
import { adminEnv, authHeader, type TestUser } from '../support/auth';
import { postgresTier, type TestDatabase } from '../support/databases';
import { natsSkipReason, openTestNats, PrivateNats, type TestNats } from '../support/nats';
import { type OrderBody, ShopApi } from '../support/shop';
import { SseClient } from '../support/sse';
import { bootTestApp, type TestApp } from '../support/test-app';
import { bootTestWorker, mailsIn, newMailDir, until } from '../support/worker';

type Worker = Awaited<ReturnType<typeof bootTestWorker>>;

interface OrderEventData {
  orderId: string;
  status: string;
}

const skipReason = natsSkipReason ?? postgresTier.skipReason;

const eventIdsOf = async (t: TestApp, orderIds: readonly string[]): Promise<string[]> =>
  rowsOf<{ id: string }>(
    await t.app.get(DatabaseClient).db.execute(
      sql`select id from outbox_events where aggregate_type = 'order'
            and aggregate_id in (${sql.join(
              orderIds.map((id) => sql`${id}`),
              sql`, `,
            )}) order by position`,
    ),
  ).map((row) => row.id);

/** Two listening apps on one database (and `env`'s NATS, if any), with a shop and a customer. */
async function bootReplicas(env: Record<string, string>) {
  const a = await bootTestApp(env, { listen: true });
  const b = await bootTestApp(env, { listen: true });
  const [shopA, shopB] = [await new ShopApi(a.app).init(), await new ShopApi(b.app).init()];
  const [alice] = await shopA.newUsers(1);
  return { a, b, shopA, shopB, alice: alice! };
}

const stream = (t: TestApp, token: string, headers: Record<string, string> = {}): Promise<SseClient> =>
  SseClient.connect(`${t.url}/v1/orders/events`, { ...authHeader(token), ...headers });

/**
 * Live order updates across replicas: two API processes' worth of apps on one PostgreSQL database and one NATS,
 * each holding streams; a change made on one reaches the streams on the other through NATS.
 */
describe.skipIf(skipReason !== undefined)(
  `order events across replicas${skipReason ? ` (skipped: ${skipReason})` : ''}`,
  () => {
    describe('on the shared NATS server', () => {
      let db: TestDatabase;
      let nats: TestNats;
      let a: TestApp;
      let b: TestApp;
      let shopA: ShopApi;
      let shopB: ShopApi;
      let alice: TestUser;

      beforeAll(async () => {
        db = await postgresTier.create();
        nats = await openTestNats();
        ({ a, b, shopA, shopB, alice } = await bootReplicas({ ...db.env, ...adminEnv(), ...nats.env }));
      });
      afterAll(async () => {
        await a?.close();
        await b?.close();
        await nats?.cleanup();
        await db?.cleanup();
      });

      it("an order placed on A reaches the owner's stream on B within 1 s; an admin's change on B reaches A", async () => {
        const onB = await stream(b, alice.tokens.accessToken);
        const onA = await stream(a, alice.tokens.accessToken);
        const product = await shopA.createProduct({ stock: 10 });

        const placedAt = performance.now();
        const order = await shopA.order(alice.tokens.accessToken, [{ productId: product.id, quantity: 1 }]);
        await onB.until(() => onB.messages.length === 1, 1_000, 'order.placed on replica B');
        expect(performance.now() - placedAt).toBeLessThan(1_000);
        expect(onB.messages[0]!.event).toBe('order.placed');

        const changedAt = performance.now();
        await shopB.advanceOrder(order, 'paid');
        await onA.until(() => onA.messages.length === 2, 1_000, 'order.status-changed on replica A');
        expect(performance.now() - changedAt).toBeLessThan(1_000);
        expect(onA.data<OrderEventData>().map((d) => d.status)).toEqual(['pending', 'paid']);

        // Each stream got each event once, with the ids the outbox holds.
        await onB.until(() => onB.messages.length === 2);
        const ids = await eventIdsOf(a, [order.id]);
        expect(onA.messages.map((m) => m.id)).toEqual(ids);
        expect(onB.messages.map((m) => m.id)).toEqual(ids);
        onA.close();
        onB.close();
      });
    });

    describe('NATS stopped while orders are placed (a private nats-server)', () => {
      let server: PrivateNats;
      let nats: TestNats;
      let db: TestDatabase;
      let a: TestApp;
      let b: TestApp;
      let worker: Worker;
      let shop: ShopApi;
      let alice: TestUser;
      const mailDir = newMailDir();

      beforeAll(async () => {
        server = await PrivateNats.start();
        nats = await openTestNats(server.url);
        db = await postgresTier.create();
        const env = {
          ...db.env,
          ...adminEnv(),
          ...nats.env,
          EVENTS_POLL_INTERVAL_MS: '100',
          NATS_PUBLISH_TIMEOUT_MS: '500',
        };
        a = await bootTestApp(env, { listen: true });
        b = await bootTestApp(env, { listen: true });
        worker = await bootTestWorker({ ...db.env, ...nats.env, MAIL_OUTBOX_DIR: mailDir, WORKER_RETRY_BASE_MS: '50' });
        shop = await new ShopApi(a.app).init();
        [alice] = await shop.newUsers(1);
      });
      afterAll(async () => {
        await worker?.stop();
        await a?.close();
        await b?.close();
        await nats?.close();
        await server?.destroy();
        await db?.cleanup();
      });

      it('every request succeeds; after the restart the worker applies each event once, in order, and streams miss nothing', async () => {
        const product = await shop.createProduct({ stock: 100 });
        const token = alice.tokens.accessToken;
        const resuming = await stream(b, token);
        const staying = await stream(b, token);
        const first = await shop.order(token, [{ productId: product.id, quantity: 1 }]);
        await resuming.until(() => resuming.messages.length === 1, 5_000, 'the first order on B');
        const lastSeen = resuming.messages[0]!.id!;
        resuming.close();

        await server.stop();
        const during: OrderBody[] = [];
        for (let i = 0; i < 3; i++) {
          const res = await shop.postOrder(token, { items: [{ productId: product.id, quantity: 1 }] });
          expect(res.statusCode).toBe(201);
          during.push(res.json<OrderBody>());
        }
        const paid = await shop.advanceOrder(during[0]!, 'paid');
        expect(paid.status).toBe('paid');
        expect((await shop.cancelOrder(token, during[1]!.id)).statusCode).toBe(200);
        await server.start();

        const orders = [first, ...during];
        const ids = await eventIdsOf(
          a,
          orders.map((o) => o.id),
        );
        expect(ids).toHaveLength(6); // 4 placed, 1 paid, 1 cancelled

        // The worker: one mail per event, and for each order in the order its events were recorded.
        await until('every event mailed', () => mailsIn(mailDir).length >= ids.length, 20_000);
        const mails = mailsIn(mailDir);
        expect(mails.map((m) => m.meta.eventId).sort()).toEqual([...ids].sort());
        for (const order of orders) {
          const kinds = mails.filter((m) => m.meta.orderId === order.id).map((m) => m.meta.event);
          expect(kinds[0]).toBe('order.placed');
          expect(kinds.slice(1)).toEqual(
            order.id === during[0]!.id
              ? ['order.status-changed']
              : order.id === during[1]!.id
                ? ['order.cancelled']
                : [],
          );
        }

        // A client resuming on B with the last id it had gets exactly what it missed, in order.
        const resumed = await stream(b, token, { 'last-event-id': lastSeen });
        await resumed.until(() => resumed.messages.length === ids.length - 1, 5_000, 'the replay');
        expect(resumed.messages.map((m) => m.id)).toEqual(ids.slice(1));
        // The stream that stayed open through the outage got everything too, once each and in order.
        await staying.until(() => staying.messages.length === ids.length, 10_000, 'the events after the outage');
        expect(staying.messages.map((m) => m.id)).toEqual(ids);
        resumed.close();
        staying.close();
      });
    });
  },
);

/**
 * Without NATS, replicas on one database still see each other's events (each reads the shared outbox, at the latest
 * every EVENTS_POLL_INTERVAL_MS), and however transactions interleave, every stream gets the events in the order
 * the outbox recorded them: what makes a resume after the last id seen miss nothing.
 */
describe.skipIf(postgresTier.skipReason !== undefined)(
  `order events across replicas without NATS${postgresTier.skipReason ? ` (skipped: ${postgresTier.skipReason})` : ''}`,
  () => {
    let db: TestDatabase;
    let a: TestApp;
    let b: TestApp;
    let shopA: ShopApi;
    let shopB: ShopApi;
    let alice: TestUser;

    beforeAll(async () => {
      db = await postgresTier.create();
      ({ a, b, shopA, shopB, alice } = await bootReplicas({
        ...db.env,
        ...adminEnv(),
        EVENTS_POLL_INTERVAL_MS: '100',
      }));
    });
    afterAll(async () => {
      await a?.close();
      await b?.close();
      await db?.cleanup();
    });

    it('orders placed at once on both replicas reach the streams on both, each in outbox order, and a resume misses nothing', async () => {
      const token = alice.tokens.accessToken;
      const onA = await stream(a, token);
      const onB = await stream(b, token);
      const admin = await stream(b, shopA.adminToken);
      const product = await shopA.createProduct({ stock: 100 });
      const item = [{ productId: product.id, quantity: 1 }];
      // Concurrent transactions on two pools: positions are taken in one order and committed in another.
      const orders = await Promise.all(
        Array.from({ length: 16 }, (_, i) => (i % 2 === 0 ? shopA : shopB).order(token, item)),
      );
      const ids = await eventIdsOf(
        a,
        orders.map((o) => o.id),
      );
      expect(ids).toHaveLength(16);
      for (const client of [onA, onB, admin]) {
        await client.until(() => client.messages.length === ids.length, 5_000, 'every order');
        expect(client.messages.map((m) => m.id)).toEqual(ids);
      }
      // A client that left after the fifth event resumes on the other replica with exactly the rest.
      const resumed = await stream(a, token, { 'last-event-id': ids[4]! });
      await resumed.until(() => resumed.messages.length === ids.length - 5, 5_000, 'the replay');
      expect(resumed.messages.map((m) => m.id)).toEqual(ids.slice(5));
      for (const client of [onA, onB, admin, resumed]) client.close();
    });
  },
);
