import { sql } from 'drizzle-orm';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DatabaseClient, rowsOf } from '@app/database';
import { adminEnv, type TestUser } from '../support/auth';
import { postgresTier, type TestDatabase } from '../support/databases';
import { natsSkipReason, openTestNats, type TestNats } from '../support/nats';
import { type RunningProcess, waitForStatus } from '../support/processes';
import { type OrderBody, ShopApi } from '../support/shop';
import { bootTestApp, type TestApp } from '../support/test-app';
import { mailsIn, newMailDir, type SentMail, startBuiltWorker, until } from '../support/worker';

/**
 * The built worker as a real process, against the API (in this process) on one PostgreSQL database and the machine's
 * NATS: SIGTERM under load loses nothing and sends nothing twice; SIGKILL mid-job leaves the message to be
 * redelivered, and its effect happens once (one mail, one invoice).
 */

const ACK_WAIT_MS = 1_500;
const SHUTDOWN_TIMEOUT_MS = 3_000;

const skipReason = natsSkipReason ?? postgresTier.skipReason;

/** Waits until another session's statement like `pattern` (ILIKE) waits on a lock `blocker` holds. */
async function untilWaitingOnLock(blocker: pg.Client, what: string, pattern: string): Promise<void> {
  await until(what, async () => {
    await blocker.query('select pg_stat_clear_snapshot()'); // a transaction sees one snapshot otherwise
    const { rows } = await blocker.query<{ n: number }>(
      `select count(*)::int as n from pg_stat_activity
        where datname = current_database() and wait_event_type = 'Lock' and query ilike $1 and pid <> pg_backend_pid()`,
      [pattern],
    );
    return rows[0]!.n > 0;
  });
}

describe('the built worker without NATS_URL', () => {
  it('refuses to start, with one line, exit 1', async () => {
    const { proc } = await startBuiltWorker({ DATABASE_URL: 'memory://' });
    const { code } = await proc.exited;
    expect(code).toBe(1);
    expect(proc.stderr().trim()).toBe(
      'NATS_URL is required: the worker consumes the domain events from NATS JetStream',
    );
  });
});

describe.skipIf(skipReason !== undefined)(
  `the built worker, stopped and killed${skipReason ? ` (skipped: ${skipReason})` : ''}`,
  () => {
    let db: TestDatabase;
    let nats: TestNats;
    let api: TestApp;
    let shop: ShopApi;
    let alice: TestUser;
    const running: RunningProcess[] = [];

    const startWorker = async (mailDir: string): Promise<RunningProcess> => {
      const { proc, base } = await startBuiltWorker({
        ...db.env,
        ...nats.env,
        LOG_LEVEL: 'warn',
        MAIL_OUTBOX_DIR: mailDir,
        WORKER_ACK_WAIT_MS: String(ACK_WAIT_MS),
        WORKER_SHUTDOWN_TIMEOUT_MS: String(SHUTDOWN_TIMEOUT_MS),
      });
      running.push(proc);
      await waitForStatus(`${base}/health/ready`, 200);
      return proc;
    };
    const confirmations = (mailDir: string, orderId?: string): SentMail[] =>
      mailsIn(mailDir).filter((m) => m.meta.kind === 'confirmation' && (!orderId || m.meta.orderId === orderId));
    const updates = (mailDir: string, orderId: string): SentMail[] =>
      mailsIn(mailDir).filter((m) => m.meta.kind === 'update' && m.meta.orderId === orderId);
    const invoicesOf = async (orderId: string): Promise<number> => {
      const [row] = rowsOf<{ n: number }>(
        await api.app
          .get(DatabaseClient)
          .db.execute(sql`select count(*)::int as n from invoices where order_id = ${orderId}`),
      );
      return row!.n;
    };

    beforeAll(async () => {
      db = await postgresTier.create();
      nats = await openTestNats();
      api = await bootTestApp({ ...db.env, ...adminEnv(), ...nats.env, EVENTS_POLL_INTERVAL_MS: '50' });
      shop = await new ShopApi(api.app).init();
      [alice] = await shop.newUsers(1);
    });
    afterEach(async () => {
      for (const proc of running.splice(0)) {
        if (proc.child.exitCode === null && proc.child.signalCode === null) proc.child.kill('SIGKILL');
        await proc.exited;
      }
    });
    afterAll(async () => {
      await api?.close();
      await nats?.cleanup();
      await db?.cleanup();
    });

    it('SIGTERM under load: exits 0 within the bound, and after a restart every order has exactly one mail', async () => {
      const mailDir = newMailDir();
      const first = await startWorker(mailDir);
      const product = await shop.createProduct({ stock: 1000 });
      const orders: OrderBody[] = [];
      let stopOrdering = false;
      const ordering = (async () => {
        while (!stopOrdering && orders.length < 60) {
          const batch = await Promise.all(
            Array.from({ length: 4 }, () =>
              shop.order(alice.tokens.accessToken, [{ productId: product.id, quantity: 1 }]),
            ),
          );
          orders.push(...batch);
        }
      })();
      await until('the first mails', () => confirmations(mailDir).length >= 5);
      const signalled = Date.now();
      first.child.kill('SIGTERM');
      const exit = await first.exited;
      const took = Date.now() - signalled;
      expect(exit, first.stderr()).toEqual({ code: 0, signal: null });
      expect(took).toBeLessThan(SHUTDOWN_TIMEOUT_MS + 2_000);
      stopOrdering = true;
      await ordering;

      await startWorker(mailDir);
      await until(
        'a mail for every order',
        () => new Set(confirmations(mailDir).map((m) => m.meta.orderId)).size === orders.length,
        20_000,
      );
      // Exactly once each, nothing more (a redelivery after the restart would show as a second line).
      await new Promise((resolve) => setTimeout(resolve, ACK_WAIT_MS));
      expect(confirmations(mailDir)).toHaveLength(orders.length);
    }, 40_000);

    it('SIGKILL mid-job: the message is redelivered to the next worker and the mail is sent once', async () => {
      const mailDir = newMailDir();
      const victim = await startWorker(mailDir);
      // Hold the inbox table: the worker's job stops inside its transaction, before the mail, mid-job.
      const blocker = new pg.Client({ connectionString: db.env.DATABASE_URL });
      await blocker.connect();
      let order: OrderBody;
      try {
        await blocker.query('begin');
        await blocker.query('lock table processed_events in exclusive mode');
        order = await shop.order(alice.tokens.accessToken, [
          { productId: (await shop.createProduct({ stock: 5 })).id, quantity: 1 },
        ]);
        await untilWaitingOnLock(blocker, 'the job waiting in the database', 'insert into "processed_events"%');
        victim.child.kill('SIGKILL');
        expect((await victim.exited).signal).toBe('SIGKILL');
      } finally {
        await blocker.query('rollback').catch(() => undefined);
        await blocker.end();
      }
      expect(confirmations(mailDir, order.id)).toHaveLength(0);

      await startWorker(mailDir);
      await until('the redelivered job', () => confirmations(mailDir, order.id).length > 0, 15_000);
      await new Promise((resolve) => setTimeout(resolve, ACK_WAIT_MS));
      expect(confirmations(mailDir, order.id)).toHaveLength(1);
    }, 30_000);

    it('SIGKILL mid-invoice: the paid event is redelivered, and the order gets one invoice and one update mail', async () => {
      const mailDir = newMailDir();
      const victim = await startWorker(mailDir);
      const placed = await shop.order(alice.tokens.accessToken, [
        { productId: (await shop.createProduct({ stock: 5 })).id, quantity: 1 },
      ]);
      await until('the confirmation', () => confirmations(mailDir, placed.id).length === 1);
      // Hold the invoices table: the job has recorded the event in its (uncommitted) inbox transaction and rendered
      // the PDF, and now waits to store it: mid-job, its effect not yet made.
      const blocker = new pg.Client({ connectionString: db.env.DATABASE_URL });
      await blocker.connect();
      let order: OrderBody;
      try {
        await blocker.query('begin');
        await blocker.query('lock table invoices in exclusive mode');
        order = await shop.advanceOrder(placed, 'paid');
        await untilWaitingOnLock(blocker, 'the invoice waiting in the database', 'insert into "invoices"%');
        victim.child.kill('SIGKILL');
        expect((await victim.exited).signal).toBe('SIGKILL');
      } finally {
        await blocker.query('rollback').catch(() => undefined);
        await blocker.end();
      }
      expect(await invoicesOf(order.id)).toBe(0);

      await startWorker(mailDir);
      await until('the redelivered invoice', async () => (await invoicesOf(order.id)) > 0, 15_000);
      await until('the update mail', () => updates(mailDir, order.id).length > 0, 15_000);
      await new Promise((resolve) => setTimeout(resolve, ACK_WAIT_MS));
      expect(await invoicesOf(order.id)).toBe(1);
      expect(updates(mailDir, order.id)).toHaveLength(1);
      expect(confirmations(mailDir, order.id)).toHaveLength(1);
    }, 40_000);
  },
);
