import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminEnv } from '../support/auth';
import { type DatabaseTier, describeEachDatabase, pgliteTier, type TestDatabase } from '../support/databases';
import { expectExchange, REFUSED_AS_INVALID_OR_TOO_LARGE } from '../support/fuzz/expectations';
import { FuzzHarness } from '../support/fuzz/fuzz-harness';
import { describeRequest } from '../support/fuzz/fuzz-request';
import {
  anyRequest,
  PRODUCTION_RATE_ENV,
  readFuzzSettings,
  replayCommand,
  UNLIMITED_RATE_ENV,
} from '../support/fuzz/fuzz-settings';
import {
  distinctOrderLines,
  jsonString,
  manyKeysObject,
  nestedArrays,
  nestedObjects,
  objectText,
  repeatedArray,
} from '../support/fuzz/json-text';
import { describeSample, slowestSample } from '../support/fuzz/liveness-probe';
import { ref } from '../support/fuzz/placeholders';
import { STALLED_REQUESTS } from '../support/fuzz/raw-arbitraries';
import { BODY_ROUTES, bodyRoute, jsonRequest, spoiled } from '../support/fuzz/regression-requests';
import { Route } from '../support/fuzz/routes';
import { bootTestApp, type TestApp } from '../support/test-app';

/**
 * A hostile client: thousands of seeded, reproducible requests (fast-check) over every route, with wrong types,
 * nulls, missing and extra fields, huge and deeply nested documents, unicode edge cases, injection strings,
 * forged tokens, ids and cursors, odd headers and query strings, and raw-socket abuse. Every answer must keep the
 * API's invariants (no 5xx, problem+json errors with security headers and a request id, no leaked internals),
 * no rejected request may leave a row behind, and the liveness probe must stay fast throughout. Then deterministic
 * regression cases for the defects the fuzz is meant to keep out.
 *
 *   npx vitest run test/fuzz                                    random seed, 5,000 requests on PGlite
 *   FUZZ_SEED=123 npx vitest run test/fuzz                      replay a run (the seed is in the test name)
 *   FUZZ_RUNS=20000 npx vitest run test/fuzz                    scale it (PostgreSQL gets a fifth, rate limits a twentieth)
 *   TEST_DATABASE_URL=postgres://… npx vitest run test/fuzz     also on PostgreSQL
 */

const settings = readFuzzSettings();
const MAIN_TIMEOUT_MS = settings.budgetMs + 60_000;

/** The liveness probe's count and slowest answer so far (reported whether or not anything failed). */
function liveness(harness: FuzzHarness): string {
  const slowest = slowestSample(harness.probe.samples);
  return `liveness: ${harness.probe.samples.length} probes, slowest ${slowest ? describeSample(slowest) : '-'}`;
}

/**
 * Slow-client timeouts far below the defaults (10 s head, 15 s head and body), so that each stalled connection
 * the fuzz opens is cut off within {@link STALLED_TIMEOUT_MS} and the run stays short; the defaults themselves
 * are exercised by test/e2e/hostile-input.e2e.spec.ts with the same mechanism.
 */
const SLOW_CLIENT_ENV = { HTTP_HEADERS_TIMEOUT_MS: '1000', HTTP_BODY_TIMEOUT_MS: '2000' };

/** Boots the app on a fresh database of `tier` and starts a fuzz harness on it. */
function useFuzzedApp(tier: DatabaseTier, env: Record<string, string>, victims = 3): () => FuzzHarness {
  let db: TestDatabase | undefined;
  let app: TestApp | undefined;
  let harness: FuzzHarness | undefined;
  beforeAll(async () => {
    db = await tier.create();
    app = await bootTestApp({ ...db.env, ...adminEnv(), ...SLOW_CLIENT_ENV, ...env }, { listen: true });
    harness = await FuzzHarness.start(app, { victims });
  });
  afterAll(async () => {
    if (harness) {
      console.info(liveness(harness));
    }
    await harness?.stop();
    await app?.close();
    await db?.cleanup();
  });
  return () => {
    if (!harness) throw new Error('the app did not start');
    return harness;
  };
}

describeEachDatabase('hostile client', (tier) => {
  const runs = tier.name === 'pglite' ? settings.runs : settings.postgresRuns;
  const fuzzed = useFuzzedApp(tier, UNLIMITED_RATE_ENV);

  it(
    `keeps every invariant through ${runs} seeded hostile requests (FUZZ_SEED=${settings.seed})`,
    async () => {
      const harness = fuzzed();
      // Connections that never finish their request, held open while the fuzz runs (PGlite run only: it waits 15 s).
      const stalled = tier.name === 'pglite' ? harness.stalledConnections(STALLED_REQUESTS) : Promise.resolve([]);
      const stats = await harness.fuzz(anyRequest, { runs, seed: settings.seed, budgetMs: settings.budgetMs });
      for (const exchange of await stalled) harness.record(exchange);

      console.info(
        [
          `hostile client [${tier.name}], seed ${settings.seed}: ${stats.describe()}`,
          liveness(harness),
          `sessions re-established: ${harness.world.relogins} (${harness.world.failedRelogins} failed)`,
        ].join('\n'),
      );
      expect(harness.violations.signatures(), harness.violations.report(replayCommand(settings.seed, runs))).toEqual(
        [],
      );
      expect(stats.sent).toBe(runs);
    },
    MAIN_TIMEOUT_MS,
  );

  describe('regression cases', () => {
    it('login: a 1 MiB body holding 120,000 keys in an unknown property is refused with a small problem, without a stall', async () => {
      const body = objectText([
        ['email', jsonString('nobody@example.test')],
        ['password', jsonString('not the password')],
        ['extra', manyKeysObject(120_000)],
      ]);
      expect(body.length).toBeLessThanOrEqual(1024 * 1024);
      expect(body.length).toBeGreaterThan(900 * 1024);
      await expectExchange(fuzzed(), jsonRequest(Route.login, 'POST', '/v1/auth/login', body), {
        status: REFUSED_AS_INVALID_OR_TOO_LARGE,
      });
    });

    it('register: 120,000 keys in name is refused with a small problem, without a stall', async () => {
      await expectExchange(fuzzed(), spoiled(bodyRoute(Route.register), manyKeysObject(120_000), 'name'), {
        status: REFUSED_AS_INVALID_OR_TOO_LARGE,
      });
    });

    it('PATCH /v1/users/me: 70,000 keys in name is refused with a small problem, without a stall', async () => {
      await expectExchange(fuzzed(), spoiled(bodyRoute(Route.patchMe), manyKeysObject(70_000), 'name'), {
        status: REFUSED_AS_INVALID_OR_TOO_LARGE,
      });
    });

    it('POST /v1/orders: 50,000 distinct items is refused with a small problem and a bounded errors list, without a stall', async () => {
      await expectExchange(fuzzed(), spoiled(bodyRoute(Route.createOrder), distinctOrderLines(50_000)), {
        status: REFUSED_AS_INVALID_OR_TOO_LARGE,
        fields: ['items'],
      });
    });

    it('POST /v1/orders: 100,000 {} items is refused with a small problem and a bounded errors list, without a stall', async () => {
      await expectExchange(fuzzed(), spoiled(bodyRoute(Route.createOrder), repeatedArray(100_000, '{}')), {
        status: REFUSED_AS_INVALID_OR_TOO_LARGE,
        fields: ['items'],
      });
    });

    describe('deep nesting in a field of every body route is refused with a small problem, without a stall', () => {
      for (const route of BODY_ROUTES) {
        for (const depth of [3_000, 100_000]) {
          it(`${route.route}: ${route.field} = arrays ${depth} deep`, async () => {
            await expectExchange(fuzzed(), spoiled(route, nestedArrays(depth)), {
              status: REFUSED_AS_INVALID_OR_TOO_LARGE,
            });
          });
          it(`${route.route}: ${route.field} = objects ${depth} deep`, async () => {
            await expectExchange(fuzzed(), spoiled(route, nestedObjects(depth)), {
              status: REFUSED_AS_INVALID_OR_TOO_LARGE,
            });
          });
        }
      }
    });

    describe('null for an optional field is a 400 naming it', () => {
      const optionalFields = [
        { route: Route.patchMe, fields: ['name', 'password'] },
        { route: Route.patchUser, fields: ['role', 'disabled'] },
        { route: Route.patchProduct, fields: ['name', 'description', 'priceCents', 'stock', 'active'] },
      ];
      for (const { route, fields } of optionalFields) {
        for (const field of fields) {
          it(`${route}: {"${field}": null}`, async () => {
            await expectExchange(fuzzed(), spoiled({ ...bodyRoute(route), valid: [] }, 'null', field), {
              status: 400,
              fields: [field],
            });
          });
        }
      }
    });

    for (const email of ['a\ud800@example.test', '\ud83d']) {
      it(`register with the email ${JSON.stringify(email)} (a lone surrogate) is a 400 naming email`, async () => {
        await expectExchange(fuzzed(), spoiled(bodyRoute(Route.register), jsonString(email), 'email'), {
          status: 400,
          fields: ['email'],
        });
      });
    }

    it('If-Match: "v9999999999" on PATCH /v1/products/{id} is a 412', async () => {
      const request = jsonRequest(
        Route.patchProduct,
        'PATCH',
        `/v1/products/${ref.id('product', 1)}`,
        '{"name":"Renamed"}',
        {
          as: 'admin',
          headers: [['if-match', '"v9999999999"']],
        },
      );
      await expectExchange(fuzzed(), request, { status: 412 });
    });

    it('an upper-case product UUID finds the same product', async () => {
      const harness = fuzzed();
      const request = jsonRequest(Route.getProduct, 'GET', `/v1/products/${ref.id('product', 2, true)}`, undefined, {
        as: 'user',
      });
      const exchange = await expectExchange(harness, request, { status: 200 });
      const body = JSON.parse(exchange.answers[0]?.body.toString('utf8') ?? '{}') as { id?: string };
      expect(body.id).toBe(harness.world.product(2).id);
    });

    it('the same product twice in an order, in different case, is a 400 duplicate', async () => {
      const line = (productId: string): string =>
        objectText([
          ['productId', jsonString(productId)],
          ['quantity', '1'],
        ]);
      const items = `[${line(ref.id('product', 0))},${line(ref.id('product', 0, true))}]`;
      await expectExchange(fuzzed(), spoiled(bodyRoute(Route.createOrder), items), { status: 400, fields: ['items'] });
    });
  });
});

describe('hostile client under production rate limits [pglite]', () => {
  const fuzzed = useFuzzedApp(pgliteTier, PRODUCTION_RATE_ENV, 1);

  it(`keeps every invariant through ${settings.rateLimitedRuns} seeded hostile requests (FUZZ_SEED=${settings.seed})`, async () => {
    const harness = fuzzed();
    const runs = settings.rateLimitedRuns;
    const stats = await harness.fuzz(anyRequest, { runs, seed: settings.seed, budgetMs: 30_000 });
    console.info(`hostile client under production rate limits, seed ${settings.seed}: ${stats.describe()}`);
    expect(
      harness.violations.signatures(),
      harness.violations.report(replayCommand(settings.seed, settings.runs)),
    ).toEqual([]);
  }, 90_000);

  it('a burst of logins beyond RATE_LIMIT_AUTH_PER_MINUTE is answered with 429 problems carrying Retry-After', async () => {
    const harness = fuzzed();
    const statuses: Array<number | undefined> = [];
    for (let i = 0; i <= Number(PRODUCTION_RATE_ENV.RATE_LIMIT_AUTH_PER_MINUTE); i++) {
      const body = objectText([
        ['email', jsonString(`burst-${i}@example.test`)],
        ['password', jsonString('not the password')],
      ]);
      const exchange = await harness.exchange(jsonRequest(Route.login, 'POST', '/v1/auth/login', body));
      expect(exchange.findings, describeRequest(exchange.request)).toEqual([]);
      statuses.push(exchange.answers[0]?.status);
    }
    expect(statuses).toContain(429);
  });
});
