import { randomBytes, randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '@app/core';
import {
  type DatabaseClient,
  defaultMigrationsFolder,
  Migrator,
  openDatabaseClient,
  TransactionHost,
} from '@app/database';
import { OutboxRepository, type RecordedEvent } from './outbox.repository';
import { OutboxTail, type OutboxTailOptions } from './outbox-tail';

const postgresUrl = process.env.TEST_DATABASE_URL;

/** A database of its own on each tier: PGlite in memory, and a new PostgreSQL database when TEST_DATABASE_URL is set. */
const tiers = [
  {
    name: 'pglite',
    label: '[pglite]',
    skip: undefined,
    create: () => Promise.resolve({ url: 'memory://', drop: () => Promise.resolve() }),
  },
  {
    name: 'postgres',
    label: postgresUrl ? '[postgres]' : '[postgres] (skipped: TEST_DATABASE_URL is not set)',
    skip: postgresUrl ? undefined : 'TEST_DATABASE_URL is not set',
    async create() {
      const name = `test_tail_${randomBytes(6).toString('hex')}`;
      const admin = async (text: string) => {
        const client = new pg.Client({ connectionString: postgresUrl });
        await client.connect();
        await client.query(text).finally(() => client.end());
      };
      await admin(`create database "${name}"`);
      const url = new URL(postgresUrl as string);
      url.pathname = `/${name}`;
      return { url: url.toString(), drop: () => admin(`drop database if exists "${name}" with (force)`) };
    },
  },
] as const;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Resolves once `check()` holds, polling every 10 ms; fails after `timeoutMs`. */
async function until(check: () => boolean, what: string, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

describe.each(tiers.map((tier) => [tier.label, tier] as const))('OutboxTail %s', (_label, tier) => {
  let db: { url: string; drop(): Promise<void> };
  let client: DatabaseClient;
  let txHost: TransactionHost;
  let outbox: OutboxRepository;
  const tails: OutboxTail[] = [];

  beforeAll(async () => {
    if (tier.skip) return;
    db = await tier.create();
    client = await openDatabaseClient(loadConfig({ DATABASE_URL: db.url }));
    await new Migrator(client, defaultMigrationsFolder()).migrate();
    txHost = new TransactionHost(client);
    outbox = new OutboxRepository(txHost);
  }, 60_000);
  afterEach(async () => {
    await Promise.all(tails.splice(0).map((tail) => tail.stop()));
  });
  afterAll(async () => {
    await client?.close();
    await db?.drop();
  });

  // Transactions that overlap need a pool: PGlite has a single connection, so these run on PostgreSQL only.
  const concurrently = tier.name === 'postgres' ? it.skipIf(tier.skip !== undefined) : () => undefined;

  const record = (label: string) =>
    outbox.record(
      {
        id: randomUUID(),
        name: 'order.placed',
        version: 1,
        aggregateType: 'order',
        aggregateId: randomUUID(),
        payload: JSON.stringify({ label }),
        occurredAt: new Date(),
        awaitRelay: false,
      },
      [],
    );

  /**
   * A transaction (on a pooled connection of its own) that records an event and stays open until `commit()`:
   * `position` is the position it took.
   */
  async function openTransaction(label: string) {
    let commit!: () => void;
    const committing = new Promise<void>((resolve) => (commit = resolve));
    let position = 0;
    const done = txHost.withTransaction(async () => {
      position = await record(label);
      await committing;
    });
    await until(() => position > 0, `the open transaction to record ${label}`);
    return {
      position,
      commit: () => {
        commit();
        return done;
      },
    };
  }

  /** A running tail and what it handed out (labels); `skipped` lists the holes it gave up on. */
  async function startTail(options: Partial<OutboxTailOptions> = {}) {
    const seen: string[] = [];
    const skipped: Array<[number, number]> = [];
    const tail = new OutboxTail(
      outbox,
      (event: RecordedEvent) => seen.push((event.payload as { label: string }).label),
      { pollIntervalMs: 50, settleTimeoutMs: 60_000, ...options },
      (from, to) => skipped.push([from, to]),
    );
    tails.push(tail);
    tail.run();
    const start = await tail.horizon();
    return { tail, seen, skipped, start };
  }

  it.skipIf(tier.skip !== undefined)('hands out the events recorded after it started, in order', async () => {
    await record('before');
    const { seen, tail } = await startTail();
    await record('a');
    await record('b');
    tail.poke();
    await until(() => seen.length === 2, 'two events');
    expect(seen).toEqual(['a', 'b']);
    // Found by its poll as well, unpoked (what another process commits when no NATS carries the news).
    await record('c');
    await until(() => seen.length === 3, 'the polled event');
    expect(seen).toEqual(['a', 'b', 'c']);
  });

  it.skipIf(tier.skip !== undefined)(
    'passes the hole of a rolled-back transaction as soon as nothing can fill it, long before the timeout',
    async () => {
      const { seen, skipped, tail } = await startTail({ settleTimeoutMs: 60_000 });
      await expect(
        txHost.withTransaction(async () => {
          await record('rolled back');
          throw new Error('roll back');
        }),
      ).rejects.toThrow('roll back');
      await record('after the hole');
      tail.poke();
      await until(() => seen.length === 1, 'the event after the hole');
      expect(seen).toEqual(['after the hole']);
      expect(skipped).toEqual([]);
    },
  );

  concurrently(
    'holds an event back while an earlier position may still commit, then hands both out in position order',
    async () => {
      const { seen, tail, start } = await startTail();
      // Position n stays open while n + 1 commits.
      const first = await openTransaction('first');
      const secondPosition = await record('second');
      expect(secondPosition).toBeGreaterThan(first.position);
      tail.poke();
      await sleep(300);
      expect(seen).toEqual([]);
      expect(await tail.horizon()).toBe(start);

      await first.commit();
      tail.poke();
      await until(() => seen.length === 2, 'both events');
      expect(seen).toEqual(['first', 'second']);
      expect(await tail.horizon()).toBe(secondPosition);
    },
  );

  concurrently(
    'gives a hole up after the settle timeout when a transaction stays open that long, and counts it',
    async () => {
      const { seen, skipped, tail } = await startTail({ settleTimeoutMs: 300 });
      const first = await openTransaction('first');
      await record('second');
      tail.poke();
      await until(() => seen.length === 1, 'the event past the given-up hole');
      expect(seen).toEqual(['second']);
      expect(skipped).toEqual([[first.position, first.position]]);
      await first.commit();
    },
  );

  concurrently('settles its start only once the transactions running when it started have ended', async () => {
    const first = await openTransaction('in flight at the start');
    await record('committed at the start');
    const tail = new OutboxTail(outbox, () => undefined, { pollIntervalMs: 50, settleTimeoutMs: 60_000 });
    tails.push(tail);
    tail.run();
    let horizon: number | undefined;
    void tail.horizon().then((position) => (horizon = position));
    await sleep(300);
    expect(horizon).toBeUndefined();
    await first.commit();
    await until(() => horizon !== undefined, 'the start to settle');
    // A replay up to the horizon now reads the event that was in flight: nothing below it can appear any more.
    expect(horizon).toBeGreaterThan(first.position);
  });
});
