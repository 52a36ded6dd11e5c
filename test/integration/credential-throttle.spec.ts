import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CredentialThrottle, ThrottleClock, TOO_MANY_FAILED_ATTEMPTS } from '@app/auth';
import { loadConfig, Metrics, ProblemException } from '@app/core';
import { RedisConnection } from '@app/redis';
import {
  AuthApi,
  expectProblem,
  expectUnauthorized,
  type Injected,
  strongPassword,
  uniqueEmail,
} from '../support/auth';
import { pgliteTier, type TestDatabase } from '../support/databases';
import { createTestRedis, redisSkipReason, type TestRedis, unreachableRedisEnv } from '../support/redis';
import { bootTestApp, type TestApp } from '../support/test-app';

/**
 * The per-account throttle of failed password checks on both stores: the same policy in memory and in Redis
 * (where two replicas share one state), then through two running apps on one Redis, then with Redis unreachable.
 */

const SECOND = 1_000;
const MINUTE = 60 * SECOND;

class FakeClock extends ThrottleClock {
  time = 1_700_000_000_000;
  override now(): number {
    return this.time;
  }
}

/** Two replicas' throttles on one store (in memory there is only one process, so both are the same one). */
interface ThrottlePair {
  a: CredentialThrottle;
  b: CredentialThrottle;
  clock: FakeClock;
}

interface StoreUnderTest {
  name: string;
  skipReason: string | undefined;
  open(env: Record<string, string>): Promise<ThrottlePair & { close(): Promise<void> }>;
}

const memoryStore: StoreUnderTest = {
  name: 'memory',
  skipReason: undefined,
  async open(env) {
    const config = loadConfig({ NODE_ENV: 'test', ...env });
    const clock = new FakeClock();
    const throttle = new CredentialThrottle(config, new RedisConnection(config, new Metrics()), clock);
    return { a: throttle, b: throttle, clock, close: async () => undefined };
  },
};

const redisStore: StoreUnderTest = {
  name: 'redis',
  skipReason: redisSkipReason,
  async open(env) {
    const redis: TestRedis = createTestRedis();
    const config = loadConfig({ NODE_ENV: 'test', ...redis.env, ...env });
    const clock = new FakeClock();
    const connections = [new RedisConnection(config, new Metrics()), new RedisConnection(config, new Metrics())];
    for (const connection of connections) {
      await connection.connect();
      expect(connection.state).toBe('ready');
    }
    const [a, b] = connections.map((connection) => new CredentialThrottle(config, connection, clock));
    return {
      a: a!,
      b: b!,
      clock,
      async close() {
        for (const connection of connections) await connection.close();
        await redis.cleanup();
      },
    };
  },
};

for (const store of [memoryStore, redisStore]) {
  const title = `CredentialThrottle on the ${store.name} store${store.skipReason ? ` (skipped: ${store.skipReason})` : ''}`;

  describe.skipIf(store.skipReason !== undefined)(title, () => {
    let pair: ThrottlePair & { close(): Promise<void> };
    beforeAll(async () => {
      pair = await store.open({ CREDENTIAL_FAILURES_BEFORE_DELAY: '4', CREDENTIAL_MAX_DELAY_SECONDS: '10' });
    });
    afterAll(async () => {
      await pair?.close();
    });

    /** 'allowed', or the Retry-After (seconds) of the 429. */
    const attempt = async (throttle: CredentialThrottle, account: string, ip: string): Promise<'allowed' | number> => {
      try {
        await throttle.assertAllowed(account, ip);
        return 'allowed';
      } catch (error) {
        if (!(error instanceof ProblemException) || error.problemType !== TOO_MANY_FAILED_ATTEMPTS) throw error;
        return Number(error.headers['retry-after']);
      }
    };
    const fail = async (throttle: CredentialThrottle, account: string, ip: string): Promise<void> => {
      expect(await attempt(throttle, account, ip)).toBe('allowed');
      await throttle.recordFailure(account, ip);
    };
    const ip = (i: number): string => `203.0.113.${i + 1}`;

    it('4 failures split over both replicas → the next attempt waits 1 s on either; then 2, 4, 8, 10 (cap)', async () => {
      const { a, b, clock } = pair;
      const account = uniqueEmail('replicas');
      for (let i = 0; i < 4; i++) await fail(i % 2 === 0 ? a : b, account, ip(i));
      expect(await attempt(a, account, ip(9))).toBe(1);
      expect(await attempt(b, account, ip(9))).toBe(1);
      const waits: number[] = [];
      for (let i = 0; i < 5; i++) {
        const wait = (await attempt(b, account, ip(i))) as number;
        waits.push(wait);
        clock.time += wait * SECOND;
        await fail(i % 2 === 0 ? a : b, account, ip(i));
      }
      expect(waits).toEqual([1, 2, 4, 8, 10]);
    });

    it('refused attempts are not counted; a success on one replica resets the count for both', async () => {
      const { a, b, clock } = pair;
      const account = uniqueEmail('reset');
      for (let i = 0; i < 4; i++) await fail(a, account, ip(i));
      for (let i = 0; i < 50; i++) expect(await attempt(i % 2 === 0 ? a : b, account, ip(i))).toBe(1);
      clock.time += SECOND;
      await fail(b, account, ip(0));
      expect(await attempt(a, account, ip(1))).toBe(2);
      clock.time += 2 * SECOND;
      expect(await attempt(b, account, ip(1))).toBe('allowed');
      await b.recordSuccess(account, ip(1));
      for (let i = 0; i < 4; i++) await fail(a, account, ip(i));
      expect(await attempt(b, account, ip(5))).toBe(1);
    });

    it('an IP trusted on one replica is exempt on the other; the last 10 IPs only', async () => {
      const { a, b, clock } = pair;
      const account = uniqueEmail('trusted');
      const home = '198.51.100.7';
      expect(await attempt(a, account, home)).toBe('allowed');
      await a.recordSuccess(account, home);
      for (let i = 0; i < 4; i++) await fail(a, account, ip(i));
      expect(await attempt(b, account, ip(9))).toBe(1);
      expect(await attempt(b, account, home)).toBe('allowed');
      await b.recordFailure(account, home); // a typo at home counts, but home is still let through
      expect(await attempt(a, account, home)).toBe('allowed');
      await a.recordSuccess(account, home);

      for (let i = 1; i <= 10; i++) {
        clock.time += MINUTE;
        expect(await attempt(b, account, `192.0.2.${i}`)).toBe('allowed');
        await b.recordSuccess(account, `192.0.2.${i}`);
      }
      for (let i = 0; i < 4; i++) await fail(b, account, ip(i));
      expect(await attempt(a, account, home)).toBe(1); // the 11th most recent IP: no longer trusted
      expect(await attempt(a, account, '192.0.2.1')).toBe('allowed');
    });

    it('failures are forgotten once the window has passed after the wait', async () => {
      const { a, b, clock } = pair;
      const account = uniqueEmail('window');
      for (let i = 0; i < 4; i++) await fail(a, account, ip(i));
      clock.time += SECOND + 15 * MINUTE - 1;
      expect(await attempt(b, account, ip(0))).toBe('allowed'); // the 5th attempt: counted in flight
      expect(await attempt(b, account, ip(1))).toBe(2);
      await b.recordFailure(account, ip(0));
      clock.time += 2 * SECOND + 15 * MINUTE;
      for (let i = 0; i < 4; i++) await fail(b, account, ip(i));
      expect(await attempt(a, account, ip(0))).toBe(1);
    });

    it('a concurrent burst over both replicas gets no more guesses than the threshold', async () => {
      const { a, b } = pair;
      const account = uniqueEmail('burst');
      const outcomes = await Promise.all(
        Array.from({ length: 30 }, (_, i) => attempt(i % 2 === 0 ? a : b, account, ip(i))),
      );
      expect(outcomes.filter((outcome) => outcome === 'allowed')).toHaveLength(4);
    });
  });
}

// --- through the app ---------------------------------------------------------------------------------------------

/** A 429 from the credential throttle: problem+json with the type and an integer Retry-After. */
function expectThrottled(res: Injected): number {
  expect(expectProblem(res, 429).type).toBe(TOO_MANY_FAILED_ATTEMPTS);
  const retryAfter = String(res.headers['retry-after']);
  expect(retryAfter).toMatch(/^[1-9]\d*$/);
  return Number(retryAfter);
}

const loginFrom = (api: AuthApi, ip: string, email: string, password = 'wrong-password-123'): Promise<Injected> =>
  api.loginRaw(email, password, { remoteAddress: ip });

describe.skipIf(redisSkipReason !== undefined)(
  `credential throttle shared through Redis by two apps${redisSkipReason === undefined ? '' : ` (skipped: ${redisSkipReason})`}`,
  () => {
    let redis: TestRedis;
    const dbs: TestDatabase[] = [];
    const apps: TestApp[] = [];
    let apiA: AuthApi;
    let apiB: AuthApi;

    beforeAll(async () => {
      redis = createTestRedis();
      for (let i = 0; i < 2; i++) {
        dbs.push(await pgliteTier.create());
        apps.push(await bootTestApp({ ...dbs[i]!.env, ...redis.env }));
      }
      [apiA, apiB] = apps.map((t) => new AuthApi(t.app));
    });
    afterAll(async () => {
      for (const t of apps) await t.close();
      await redis?.cleanup();
      for (const db of dbs) await db.cleanup();
    });

    it('10 failures from 10 IPs over both apps → both refuse the 11th, even with the right password', async () => {
      // The same account on both apps' databases (each app has its own PGlite).
      const email = uniqueEmail('shared');
      const password = strongPassword();
      for (const api of [apiA, apiB]) await api.register({ email, password });
      expect((await loginFrom(apiA, '198.51.100.7', email, password)).statusCode).toBe(200); // home, now trusted

      for (let i = 0; i < 10; i++)
        expectUnauthorized(await loginFrom(i % 2 ? apiB : apiA, `203.0.113.${i + 1}`, email));
      expectThrottled(await loginFrom(apiA, '203.0.113.50', email, password));
      expectThrottled(await loginFrom(apiB, '203.0.113.51', email, password));
      // Home, trusted by app A, gets in through app B, and the success resets the count for both.
      expect((await loginFrom(apiB, '198.51.100.7', email, password)).statusCode).toBe(200);
      expectUnauthorized(await loginFrom(apiA, '203.0.113.50', email));
      expect((await loginFrom(apiA, '203.0.113.52', email, password)).statusCode).toBe(200);
    });

    it('an unknown email is throttled the same way, across both apps', async () => {
      const email = uniqueEmail('ghost');
      for (let i = 0; i < 10; i++)
        expectUnauthorized(await loginFrom(i % 2 ? apiB : apiA, `203.0.113.${i + 1}`, email));
      expectThrottled(await loginFrom(apiB, '203.0.113.60', email));
      expectThrottled(await loginFrom(apiA, '203.0.113.61', email));
    });

    it('keeps its keys under REDIS_KEY_PREFIX, with no email address in them', async () => {
      const email = uniqueEmail('keys');
      expectUnauthorized(await loginFrom(apiA, '203.0.113.70', email));
      const keys = (await redis.keys()).filter((key) => key.includes('credential-throttle:'));
      expect(keys.some((key) => key.startsWith(`${redis.env.REDIS_KEY_PREFIX}credential-throttle:failures:{`))).toBe(
        true,
      );
      expect(keys.some((key) => key.startsWith(`${redis.env.REDIS_KEY_PREFIX}credential-throttle:trusted:{`))).toBe(
        true,
      );
      expect(keys.filter((key) => key.includes('@'))).toEqual([]);
      // Every key expires by itself (failures after their window, trusted sources after 30 days).
      const client = apps[0]!.app.get(RedisConnection).client!;
      for (const key of keys) expect(await client.pTTL(key), key).toBeGreaterThan(0);
    });
  },
);

describe('credential throttle with Redis unreachable (REDIS_URL at a closed port): in-memory fallback', () => {
  let db: TestDatabase;
  let t: TestApp;
  let api: AuthApi;

  beforeAll(async () => {
    db = await pgliteTier.create();
    t = await bootTestApp({
      ...db.env,
      ...(await unreachableRedisEnv()),
    });
    api = new AuthApi(t.app);
  });
  afterAll(async () => {
    await t?.close();
    await db?.cleanup();
  });

  it('still throttles (per replica), and counts the fallbacks in /metrics', async () => {
    const email = uniqueEmail('fallback');
    for (let i = 0; i < 10; i++) expectUnauthorized(await loginFrom(api, `203.0.113.${i + 1}`, email));
    expectThrottled(await loginFrom(api, '203.0.113.99', email));

    const metrics = await t.app.inject({ method: 'GET', url: '/metrics' });
    expect(metrics.body).toMatch(/^redis_unavailable_total\{use="credential_throttle",reason="connecting"\} [1-9]/m);
    expect(metrics.body).toMatch(/^credential_throttle_rejections_total\{route="\/v1\/auth\/login"\} 1$/m);
  });
});
