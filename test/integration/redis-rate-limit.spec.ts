import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisConnection } from '@app/redis';
import {
  AuthApi,
  authHeader,
  expectProblem,
  expectUnauthorized,
  type Injected,
  strongPassword,
  type TestUser,
  type TokenPair,
  uniqueEmail,
  type UserBody,
} from '../support/auth';
import { pgliteTier, postgresTier, type TestDatabase } from '../support/databases';
import { createTestRedis, redisSkipReason, type TestRedis, unreachableRedisEnv } from '../support/redis';
import { bootTestApp, type TestApp } from '../support/test-app';

/**
 * Rate limits with REDIS_URL: every replica sharing REDIS_KEY_PREFIX counts against one limit (per user, per IP, per
 * IP+email for login), in keys under the prefix; with Redis unreachable each replica still enforces the limits in memory.
 */

const PER_MINUTE = 5;
/** Per IP on the auth routes; login per IP+email is half of it (2). */
const AUTH_PER_MINUTE = 4;
const limitsEnv = { RATE_LIMIT_PER_MINUTE: String(PER_MINUTE), RATE_LIMIT_AUTH_PER_MINUTE: String(AUTH_PER_MINUTE) };

/** A 429 problem+json with an integer Retry-After within the one-minute window. */
function expectRateLimited(res: Injected): void {
  expect(expectProblem(res, 429).type).toBe('https://errors.example.dev/rate-limited');
  const retryAfter = String(res.headers['retry-after']);
  expect(retryAfter).toMatch(/^\d+$/);
  expect(Number(retryAfter)).toBeGreaterThanOrEqual(1);
  expect(Number(retryAfter)).toBeLessThanOrEqual(60);
}

let ipCounter = 0;
/** A client address no other test uses: each test starts with fresh per-IP counters. */
const newIp = (): string => `10.99.${Math.floor(++ipCounter / 250)}.${(ipCounter % 250) + 1}`;

/** Registers and logs in from its own address, so that no other test's per-IP counters are touched. */
async function newUserFrom(api: AuthApi): Promise<TestUser> {
  const ip = newIp();
  const email = uniqueEmail('rate');
  const password = strongPassword();
  const registered = await api.registerRaw({ email, password, name: 'Rate Limited' }, { remoteAddress: ip });
  expect(registered.statusCode, registered.body).toBe(201);
  const login = await api.loginRaw(email, password, { remoteAddress: ip });
  expect(login.statusCode, login.body).toBe(200);
  return { id: registered.json<UserBody>().id, email, password, tokens: login.json<TokenPair>() };
}

const me = (api: AuthApi, ip: string, token?: string): Promise<Injected> =>
  api.inject({
    method: 'GET',
    url: '/v1/users/me',
    remoteAddress: ip,
    headers: token === undefined ? {} : authHeader(token),
  });

const wrongLogin = (api: AuthApi, ip: string, email: string): Promise<Injected> =>
  api.loginRaw(email, 'wrong-password-123', { remoteAddress: ip });

/** Every key naming the namespace, wherever in the key the prefix stands (SCAN on the app's own connection). */
async function keysNaming(t: TestApp, prefix: string): Promise<string[]> {
  const client = t.app.get(RedisConnection).client!;
  const found: string[] = [];
  for await (const batch of client.scanIterator({ MATCH: `*${prefix}*`, COUNT: 500 })) found.push(...batch);
  return found;
}

/** Removes what `keysNaming` finds: TestRedis.cleanup only sees keys that start with the prefix. */
async function removeKeysNaming(t: TestApp | undefined, prefix: string): Promise<void> {
  if (!t || prefix.length < 8 || t.app.get(RedisConnection).state !== 'ready') return;
  const found = await keysNaming(t, prefix);
  if (found.length > 0) await t.app.get(RedisConnection).client!.del(found);
}

/** Two app instances ("replicas") sharing one REDIS_KEY_PREFIX, each of them reached through its AuthApi. */
interface Replicas {
  redis: TestRedis;
  a: TestApp;
  apiA: AuthApi;
  apiB: AuthApi;
}

/**
 * Registers the boot and teardown of two replicas on `databases()`: one database each, or one shared by both.
 * They boot one after the other, so that on a shared database the first one migrates it.
 */
function twoReplicas(databases: () => Promise<TestDatabase[]>): Replicas {
  const replicas = {} as Replicas;
  let dbs: TestDatabase[] = [];
  const apps: TestApp[] = [];
  beforeAll(async () => {
    replicas.redis = createTestRedis();
    dbs = await databases();
    for (const db of [dbs[0]!, dbs[1] ?? dbs[0]!]) {
      apps.push(await bootTestApp({ ...db.env, ...replicas.redis.env, ...limitsEnv }));
    }
    replicas.a = apps[0]!;
    replicas.apiA = new AuthApi(apps[0]!.app);
    replicas.apiB = new AuthApi(apps[1]!.app);
  });
  afterAll(async () => {
    if (replicas.redis) await removeKeysNaming(apps[0], replicas.redis.env.REDIS_KEY_PREFIX);
    for (const app of apps) await app.close();
    await replicas.redis?.cleanup();
    for (const db of dbs) await db.cleanup();
  });
  return replicas;
}

describe.skipIf(redisSkipReason !== undefined)(
  `rate limits shared through Redis by two replicas [pglite]${redisSkipReason === undefined ? '' : ` (skipped: ${redisSkipReason})`}`,
  () => {
    const replicas = twoReplicas(() => Promise.all([pgliteTier.create(), pgliteTier.create()]));

    it(`per client IP (${PER_MINUTE}/min): 3 requests on A + 3 on B → the 6th is 429; then A is blocked too`, async () => {
      const { apiA, apiB } = replicas;
      const ip = newIp();
      for (const api of [apiA, apiA, apiA, apiB, apiB]) expectUnauthorized(await me(api, ip));
      expectRateLimited(await me(apiB, ip));
      expectRateLimited(await me(apiA, ip));
      // Another client is not affected, on either replica.
      expectUnauthorized(await me(apiA, newIp()));
      expectUnauthorized(await me(apiB, newIp()));
    });

    it('the script is called by its digest, and sent again when Redis has forgotten it (SCRIPT FLUSH)', async () => {
      const { a, apiA } = replicas;
      const ip = newIp();
      for (let i = 0; i < 2; i++) expectUnauthorized(await me(apiA, ip));
      await a.app.get(RedisConnection).client!.scriptFlush();
      // NOSCRIPT is answered by sending the script: the count goes on where it was.
      for (let i = 0; i < PER_MINUTE - 2; i++) expectUnauthorized(await me(apiA, ip));
      expectRateLimited(await me(apiA, ip));
    });

    it(`POST /v1/auth/login per IP (${AUTH_PER_MINUTE}/min): 2 on A + 2 on B, the 5th → 429 on either`, async () => {
      const { apiA, apiB } = replicas;
      const ip = newIp();
      for (const api of [apiA, apiA, apiB, apiB]) expectUnauthorized(await wrongLogin(api, ip, uniqueEmail('spray')));
      expectRateLimited(await wrongLogin(apiA, ip, uniqueEmail('spray')));
      expectRateLimited(await wrongLogin(apiB, ip, uniqueEmail('spray')));
      expectUnauthorized(await wrongLogin(apiB, newIp(), uniqueEmail('spray')));
    });

    it(`POST /v1/auth/login per IP+email (${AUTH_PER_MINUTE / 2}/min): 1 on A + 1 on B, the 3rd → 429`, async () => {
      const { apiA, apiB } = replicas;
      const ip = newIp();
      const email = uniqueEmail('target');
      expectUnauthorized(await wrongLogin(apiA, ip, email));
      expectUnauthorized(await wrongLogin(apiB, ip, email));
      expectRateLimited(await wrongLogin(apiA, ip, email));
      // The same address with another email still has quota left (per IP: 3 of 4 used).
      expectUnauthorized(await wrongLogin(apiB, ip, uniqueEmail('other')));
    });

    it('the counters live under REDIS_KEY_PREFIX, one series per limit name', async () => {
      const { redis, a, apiA } = replicas;
      const prefix = redis.env.REDIS_KEY_PREFIX;
      expectUnauthorized(await wrongLogin(apiA, newIp(), uniqueEmail('keys')));
      const written = await keysNaming(a, prefix);
      const counters = written.filter((key) => key.includes('rate-limit:'));
      for (const name of ['default', 'auth', 'login']) {
        expect(counters.some((key) => key.includes(`rate-limit:${name}:`))).toBe(true);
      }
      expect(
        written.filter((key) => !key.startsWith(prefix)),
        'keys written outside REDIS_KEY_PREFIX',
      ).toEqual([]);
      expect(await redis.keys()).toEqual(expect.arrayContaining(counters));
    });
  },
);

/** An authenticated user is the same account on both replicas only with one database: PostgreSQL. */
const userSkipReason = redisSkipReason ?? postgresTier.skipReason;
describe.skipIf(userSkipReason !== undefined)(
  `per-user rate limit shared through Redis by two replicas [postgres]${userSkipReason === undefined ? '' : ` (skipped: ${userSkipReason})`}`,
  () => {
    const replicas = twoReplicas(async () => [await postgresTier.create()]);

    it(`the same user (${PER_MINUTE}/min): 3 requests on A + 3 on B, from six addresses → the 6th is 429`, async () => {
      const { apiA, apiB } = replicas;
      const user = await newUserFrom(apiA);
      const token = user.tokens.accessToken;
      for (const api of [apiA, apiA, apiA, apiB, apiB]) {
        const res = await me(api, newIp(), token);
        expect(res.statusCode, res.body).toBe(200);
        expect(res.json<UserBody>().id).toBe(user.id);
      }
      expectRateLimited(await me(apiB, newIp(), token));
      expectRateLimited(await me(apiA, newIp(), token));

      // Another user is not affected.
      const other = await newUserFrom(apiB);
      expect((await me(apiA, newIp(), other.tokens.accessToken)).statusCode).toBe(200);
    });
  },
);

describe('rate limits with Redis unreachable (REDIS_URL at a closed port): in-memory fallback', () => {
  let db: TestDatabase;
  let t: TestApp;
  let api: AuthApi;

  beforeAll(async () => {
    db = await pgliteTier.create();
    t = await bootTestApp({
      ...db.env,
      ...limitsEnv,
      ...(await unreachableRedisEnv()),
    });
    api = new AuthApi(t.app);
  });
  afterAll(async () => {
    await t?.close();
    await db?.cleanup();
  });

  it(`per user: ${PER_MINUTE} requests pass, the next is 429; the fallbacks are counted in /metrics`, async () => {
    const user = await newUserFrom(api);
    for (let i = 0; i < PER_MINUTE; i++) {
      const res = await me(api, newIp(), user.tokens.accessToken);
      expect(res.statusCode, res.body).toBe(200);
    }
    expectRateLimited(await me(api, newIp(), user.tokens.accessToken));

    const metrics = await t.app.inject({ method: 'GET', url: '/metrics' });
    expect(metrics.body).toMatch(/^redis_unavailable_total\{use="rate_limit",reason="connecting"\} [1-9]\d*$/m);
    expect(metrics.body).toMatch(/^redis_up 0$/m);
  });

  it(`POST /v1/auth/login per IP: ${AUTH_PER_MINUTE} attempts, then 429`, async () => {
    const ip = newIp();
    for (let i = 0; i < AUTH_PER_MINUTE; i++) expectUnauthorized(await wrongLogin(api, ip, uniqueEmail('spray')));
    expectRateLimited(await wrongLogin(api, ip, uniqueEmail('spray')));
  });
});
