import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig, Metrics } from '@app/core';
import { RedisConnection, RedisUnavailableError, type RedisUnavailableReason } from '@app/redis';
import { freePort } from '../support/processes';
import { redisSkipReason } from '../support/redis';

const redisUrl = process.env.TEST_REDIS_URL;

const CONNECT_TIMEOUT_MS = 300;
const COMMAND_TIMEOUT_MS = 200;

/** Rejects with a RedisUnavailableError of this reason; returns how long the promise took to settle. */
async function expectUnavailable(pending: Promise<unknown>, reason: RedisUnavailableReason): Promise<number> {
  const started = performance.now();
  const error = await pending.then(
    () => undefined,
    (e: unknown) => e,
  );
  const elapsedMs = performance.now() - started;
  expect(error).toBeInstanceOf(RedisUnavailableError);
  expect((error as RedisUnavailableError).reason).toBe(reason);
  expect((error as RedisUnavailableError).message).toBe(`Redis unavailable (${reason})`);
  return elapsedMs;
}

describe('RedisConnection', () => {
  let connection: RedisConnection | undefined;
  let metrics: Metrics;

  const open = (env: Record<string, string> = {}): RedisConnection => {
    metrics = new Metrics();
    const config = loadConfig({
      NODE_ENV: 'test',
      REDIS_CONNECT_TIMEOUT_MS: String(CONNECT_TIMEOUT_MS),
      REDIS_COMMAND_TIMEOUT_MS: String(COMMAND_TIMEOUT_MS),
      ...env,
    });
    connection = new RedisConnection(config, metrics);
    return connection;
  };

  /** The `redis_unavailable_total` samples, as `use/reason` → count. */
  const unavailableCounts = async (): Promise<Record<string, number>> => {
    const metric = await metrics.registry.getSingleMetric('redis_unavailable_total')!.get();
    return Object.fromEntries(metric.values.map((v) => [`${v.labels.use}/${v.labels.reason}`, v.value]));
  };

  afterEach(async () => {
    const started = performance.now();
    await connection?.close();
    connection = undefined;
    // close() is bounded by one command deadline, whatever the state of the connection.
    expect(performance.now() - started).toBeLessThan(COMMAND_TIMEOUT_MS + 500);
  });

  describe('without REDIS_URL', () => {
    it('is disabled: no client, state "disabled", run and ping throw reason "disabled" without counting', async () => {
      const redis = open();
      expect(redis.configured).toBe(false);
      expect(redis.client).toBeUndefined();
      expect(redis.state).toBe('disabled');
      await redis.connect(); // a no-op
      let called = false;
      await expectUnavailable(
        redis.run('test', async () => {
          called = true;
        }),
        'disabled',
      );
      expect(called).toBe(false);
      await expectUnavailable(redis.ping(), 'disabled');
      // A disabled Redis is the configuration, not an outage: nothing is counted as a fallback.
      expect(await unavailableCounts()).toEqual({});
    });

    it('key() prefixes REDIS_KEY_PREFIX (default "nest-api:") and joins the parts with ":"', () => {
      expect(open().key('cache', 'tag', 'products')).toBe('nest-api:cache:tag:products');
      expect(open({ REDIS_KEY_PREFIX: 'other-env:' }).key('a')).toBe('other-env:a');
    });
  });

  describe('REDIS_URL at a closed port', () => {
    it('connect() gives up within REDIS_CONNECT_TIMEOUT_MS; run and ping then fail fast with "connecting"', async () => {
      const redis = open({ REDIS_URL: `redis://127.0.0.1:${await freePort()}` });
      expect(redis.configured).toBe(true);

      const started = performance.now();
      await redis.connect();
      const connectMs = performance.now() - started;
      expect(connectMs).toBeLessThan(CONNECT_TIMEOUT_MS + 250);
      expect(redis.state).toBe('connecting');

      let called = false;
      const runMs = await expectUnavailable(
        redis.run('test', async () => {
          called = true;
        }),
        'connecting',
      );
      expect(runMs).toBeLessThan(100);
      expect(called).toBe(false);
      expect(await expectUnavailable(redis.ping(), 'connecting')).toBeLessThan(100);
      expect(await unavailableCounts()).toEqual({ 'test/connecting': 1 });
    });
  });

  describe.skipIf(redisSkipReason !== undefined)(
    `against a real Redis${redisSkipReason === undefined ? '' : ` (skipped: ${redisSkipReason})`}`,
    () => {
      const prefix = `test:${randomBytes(6).toString('hex')}:`;
      const connectReal = async (): Promise<RedisConnection> => {
        const redis = open({ REDIS_URL: redisUrl!, REDIS_KEY_PREFIX: prefix });
        await redis.connect();
        expect(redis.state).toBe('ready');
        return redis;
      };

      afterEach(async () => {
        // Remove what these tests wrote (the connection is still open: the outer afterEach closes it).
        if (connection?.state === 'ready') {
          const keys: string[] = [];
          for await (const batch of connection.client!.scanIterator({ MATCH: `${prefix}*` })) keys.push(...batch);
          if (keys.length > 0) await connection.client!.del(keys);
        }
      });

      it('runs commands; keys are under REDIS_KEY_PREFIX; ping answers a round-trip time', async () => {
        const redis = await connectReal();
        const key = redis.key('unit', 'greeting');
        expect(key).toBe(`${prefix}unit:greeting`);
        await redis.run('test', (client) => client.set(key, 'hello', { expiration: { type: 'PX', value: 60_000 } }));
        expect(await redis.run('test', (client) => client.get(key))).toBe('hello');
        expect(await redis.client!.get(key)).toBe('hello');
        const latency = await redis.ping();
        expect(Number.isInteger(latency)).toBe(true);
        expect(latency).toBeGreaterThanOrEqual(0);
        expect(await unavailableCounts()).toEqual({});
      });

      it('a failing command is reason "error", with the cause kept, and does not suspend', async () => {
        const redis = await connectReal();
        const key = redis.key('unit', 'not-a-list');
        await redis.run('test', (client) => client.set(key, 'x'));
        const error = await redis.run('test', (client) => client.lPush(key, 'y')).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(RedisUnavailableError);
        expect((error as RedisUnavailableError).reason).toBe('error');
        expect(String((error as RedisUnavailableError).cause)).toMatch(/WRONGTYPE/);
        expect(redis.state).toBe('ready');
        expect(await redis.run('test', (client) => client.get(key))).toBe('x');
        expect(await unavailableCounts()).toEqual({ 'test/error': 1 });
      });

      it('an operation that never settles is cut at REDIS_COMMAND_TIMEOUT_MS, then Redis is suspended until a ping', async () => {
        const redis = await connectReal();
        const timeoutMs = await expectUnavailable(
          redis.run('test', () => new Promise<never>(() => undefined)),
          'timeout',
        );
        expect(timeoutMs).toBeGreaterThanOrEqual(COMMAND_TIMEOUT_MS - 5);
        expect(timeoutMs).toBeLessThan(COMMAND_TIMEOUT_MS + 150);

        // Suspended: every caller falls back at once, without touching Redis.
        expect(redis.state).toBe('suspended');
        let called = false;
        const suspendedMs = await expectUnavailable(
          redis.run('test', async () => {
            called = true;
          }),
          'suspended',
        );
        expect(suspendedMs).toBeLessThan(20);
        expect(called).toBe(false);
        expect(await unavailableCounts()).toEqual({ 'test/timeout': 1, 'test/suspended': 1 });

        // A probe is never suspended, and a successful one lifts the suspension.
        await redis.ping();
        expect(redis.state).toBe('ready');
        expect(await redis.run('test', (client) => client.ping())).toBe('PONG');
      });

      it('the suspension ends by itself about a second after the timeout', async () => {
        const redis = await connectReal();
        await expectUnavailable(
          redis.run('test', () => new Promise<never>(() => undefined)),
          'timeout',
        );
        expect(redis.state).toBe('suspended');
        await new Promise((r) => setTimeout(r, 1_050));
        expect(redis.state).toBe('ready');
        expect(await redis.run('test', (client) => client.ping())).toBe('PONG');
      });
    },
  );
});
