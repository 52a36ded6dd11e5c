import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DatabaseClient } from '@app/database';
import { adminEnv, type TestUser } from '../support/auth';
import { pgliteTier, postgresTier, type TestDatabase } from '../support/databases';
import { natsSkipReason, openTestNats, type TestNats } from '../support/nats';
import { ShopApi } from '../support/shop';
import { bootTestApp, type TestApp } from '../support/test-app';
import { bootTestWorker, mailsIn, newMailDir, publishEvent, runRedrive, seriesValue, until } from '../support/worker';

type TestWorker = Awaited<ReturnType<typeof bootTestWorker>>;

const metrics = async (worker: TestWorker): Promise<string> => (await fetch(`${worker.base}/metrics`)).text();
const jobCount = async (worker: TestWorker, outcome: string): Promise<number> =>
  seriesValue(await metrics(worker), 'worker_jobs_total', { job: 'order-notifications', outcome });

/** A valid `order.placed` for `userId`, as the relay would publish it. */
const placedEvent = (userId: string) => {
  const orderId = randomUUID();
  return {
    id: randomUUID(),
    name: 'order.placed',
    version: 1,
    aggregateType: 'order',
    aggregateId: orderId,
    payload: {
      orderId,
      userId,
      status: 'pending',
      totalCents: 1200,
      currency: 'EUR',
      items: [{ productId: randomUUID(), quantity: 1, unitPriceCents: 1200 }],
    },
  };
};

describe.skipIf(natsSkipReason !== undefined)(
  `worker: order notifications from JetStream${natsSkipReason ? ` (skipped: ${natsSkipReason})` : ''}`,
  () => {
    describe.skipIf(postgresTier.skipReason !== undefined)(
      `API and worker on one PostgreSQL database${postgresTier.skipReason ? ` (skipped: ${postgresTier.skipReason})` : ''}`,
      () => {
        let db: TestDatabase;
        let nats: TestNats;
        let api: TestApp;
        let worker: TestWorker;
        let shop: ShopApi;
        let alice: TestUser;
        const mailDir = newMailDir();

        beforeAll(async () => {
          db = await postgresTier.create();
          nats = await openTestNats();
          api = await bootTestApp({ ...db.env, ...adminEnv(), ...nats.env, EVENTS_POLL_INTERVAL_MS: '100' });
          worker = await bootTestWorker({
            ...db.env,
            ...nats.env,
            MAIL_OUTBOX_DIR: mailDir,
            WORKER_MAX_ATTEMPTS: '3',
            WORKER_RETRY_BASE_MS: '50',
          });
          shop = await new ShopApi(api.app).init();
          [alice] = await shop.newUsers(1);
        });
        afterAll(async () => {
          await worker?.stop();
          await api?.close();
          await nats?.cleanup();
          await db?.cleanup();
        });

        it('serves its probes and metrics', async () => {
          expect((await fetch(`${worker.base}/health/live`)).status).toBe(200);
          const ready = await fetch(`${worker.base}/health/ready`);
          expect(ready.status).toBe(200);
          expect(await ready.json()).toEqual({
            status: 'ok',
            details: { database: 'up', nats: 'up', consumers: 'up' },
          });
          expect(await metrics(worker)).toContain('worker_jobs_in_flight');
        });

        it('mails one confirmation per placed order, then an update per change, and a redelivery changes nothing', async () => {
          const product = await shop.createProduct({ stock: 10 });
          let order = await shop.order(alice.tokens.accessToken, [{ productId: product.id, quantity: 1 }]);
          const mailsOf = () => mailsIn(mailDir).filter((mail) => mail.meta.orderId === order.id);
          await until('the confirmation', () => mailsOf().length === 1);
          expect(mailsOf()[0]).toMatchObject({
            to: { email: alice.email, name: 'Shopper' },
            subject: `Order ${order.id} confirmed`,
            meta: { kind: 'confirmation', event: 'order.placed' },
          });

          order = await shop.advanceOrder(order, 'paid');
          expect((await shop.cancelOrder(alice.tokens.accessToken, order.id)).statusCode).toBe(200);
          await until('the updates', () => mailsOf().length === 3);
          expect(mailsOf().map((mail) => mail.meta.kind)).toEqual(['confirmation', 'update', 'update']);
          expect(mailsOf()[2]!.subject).toBe(`Order ${order.id} cancelled`);

          // The same event again under a new message id (JetStream takes it): the inbox keeps one mail.
          const stream = `${nats.prefix.toUpperCase()}_ORDERS`;
          const placed = (await nats.messages(stream)).find(
            (m) => m.subject.endsWith('.orders.placed') && m.json<{ aggregateId: string }>().aggregateId === order.id,
          );
          const event = placed!.json<Parameters<typeof publishEvent>[2]>();
          const duplicatesBefore = await jobCount(worker, 'duplicate');
          await publishEvent(nats.env.NATS_URL, placed!.subject, event, `${event.id}:again`);
          await until('the duplicate', async () => (await jobCount(worker, 'duplicate')) > duplicatesBefore);
          expect(mailsOf().filter((mail) => mail.meta.kind === 'confirmation')).toHaveLength(1);
          expect(await jobCount(worker, 'done')).toBeGreaterThanOrEqual(3);
        });

        it('dead-letters a poison event after WORKER_MAX_ATTEMPTS, keeps going, and the re-drive puts it back', async () => {
          const ghost = randomUUID(); // no such user: the job throws every time
          const poison = placedEvent(ghost);
          await publishEvent(nats.env.NATS_URL, `${nats.prefix}.orders.placed`, poison);
          const product = await shop.createProduct({ stock: 10 });
          const next = await shop.order(alice.tokens.accessToken, [{ productId: product.id, quantity: 1 }]);

          const dlq = `${nats.prefix.toUpperCase()}_DLQ`;
          await until('the dead letter', async () => (await jobCount(worker, 'dead')) === 1);
          const [letter] = await nats.messages(dlq);
          expect(letter!.subject).toBe(`${nats.prefix}.dlq.order-notifications.orders.placed`);
          expect(letter!.header?.get('Dlq-Job')).toBe('order-notifications');
          expect(letter!.header?.get('Dlq-Attempts')).toBe('3');
          expect(letter!.header?.get('Dlq-Original-Subject')).toBe(`${nats.prefix}.orders.placed`);
          expect(letter!.header?.get('Dlq-Error')).toContain(`No user ${ghost}`);
          expect(letter!.json<{ id: string }>().id).toBe(poison.id);
          expect(await jobCount(worker, 'retry')).toBeGreaterThanOrEqual(2);
          // The next order was not held up by the poison one.
          await until('the next confirmation', () => mailsIn(mailDir).some((m) => m.meta.orderId === next.id));

          // The user appears (say, a replica's lag): the re-drive delivers the event once, and empties the DLQ.
          await api.app
            .get(DatabaseClient)
            .db.execute(
              sql`insert into users (id, email, name, password_hash) values (${ghost}, ${`${ghost}@example.test`}, 'Ghost', 'x')`,
            );
          const redrive = await runRedrive(nats.env, ['order-notifications', '--limit', '10']);
          expect(redrive.code, redrive.stderr).toBe(0);
          expect(redrive.stdout).toContain('1 message(s) re-driven');
          await until('the re-driven mail', () =>
            mailsIn(mailDir).some((m) => m.meta.eventId === poison.id && m.to.email === `${ghost}@example.test`),
          );
          expect(mailsIn(mailDir).filter((m) => m.meta.eventId === poison.id)).toHaveLength(1);
          expect(await nats.messages(dlq)).toHaveLength(0);
        });
      },
    );

    describe('the worker alone on PGlite (in memory): the inbox keeps one mail per event', () => {
      let db: TestDatabase;
      let nats: TestNats;
      let worker: TestWorker;
      const mailDir = newMailDir();

      beforeAll(async () => {
        db = await pgliteTier.create();
        nats = await openTestNats();
        worker = await bootTestWorker({ ...db.env, ...nats.env, MAIL_OUTBOX_DIR: mailDir });
      });
      afterAll(async () => {
        await worker?.stop();
        await nats?.cleanup();
        await db?.cleanup();
      });

      it('sends one confirmation for an event delivered twice', async () => {
        const userId = randomUUID();
        await worker.app
          .get(DatabaseClient)
          .db.execute(
            sql`insert into users (id, email, name, password_hash) values (${userId}, 'bob@example.test', 'Bob', 'x')`,
          );
        const event = placedEvent(userId);
        const subject = `${nats.prefix}.orders.placed`;
        await publishEvent(nats.env.NATS_URL, subject, event);
        await publishEvent(nats.env.NATS_URL, subject, event, `${event.id}:again`);
        await until('both deliveries', async () => (await jobCount(worker, 'duplicate')) === 1);
        const mails = mailsIn(mailDir);
        expect(mails).toHaveLength(1);
        expect(mails[0]).toMatchObject({ to: { email: 'bob@example.test' }, meta: { eventId: event.id } });
      });
    });
  },
);
