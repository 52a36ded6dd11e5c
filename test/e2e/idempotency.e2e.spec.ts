import { randomBytes } from 'node:crypto';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DatabaseClient, rowsOf } from '@app/database';
import { IdempotencyModule, IdempotencyService } from '@app/idempotency';
import { IdempotencyFixtureCounter, IdempotencyFixturesModule } from '../fixtures/idempotency-fixtures.module';
import { describeEachDatabase, pgliteTier, type TestDatabase } from '../support/databases';
import { bootTestApp, type TestApp } from '../support/test-app';

type Injected = Awaited<ReturnType<NestFastifyApplication['inject']>>;

const URL = '/v1/idem-fixtures/things';
const IN_PROGRESS_TYPE = 'https://errors.example.dev/idempotency-key-in-use';
const REUSED_TYPE = 'https://errors.example.dev/idempotency-key-reused';

const newKey = (): string => `key-${randomBytes(8).toString('hex')}`;
const newName = (label: string): string => `${label}-${randomBytes(4).toString('hex')}`;

/** Everything a replay must repeat; the per-request parts (request id, instance) left out. */
const comparable = (res: Injected) => {
  const { requestId: _requestId, instance: _instance, ...body } = res.json<Record<string, unknown>>();
  return {
    status: res.statusCode,
    body,
    location: res.headers.location,
    etag: res.headers.etag,
    contentType: res.headers['content-type'],
  };
};

/** A new account through the real routes; returns its access token. */
async function registerAndLogin(app: NestFastifyApplication, label: string): Promise<string> {
  const email = `${label}-${randomBytes(4).toString('hex')}@example.test`;
  const password = 'correct horse battery';
  const registered = await app.inject({
    method: 'POST',
    url: '/v1/auth/register',
    payload: { email, password, name: label },
  });
  expect(registered.statusCode, registered.body).toBe(201);
  const login = await app.inject({ method: 'POST', url: '/v1/auth/login', payload: { email, password } });
  expect(login.statusCode, login.body).toBe(200);
  return login.json<{ accessToken: string }>().accessToken;
}

function postThing(app: NestFastifyApplication, token: string, payload: unknown, key?: string): Promise<Injected> {
  return app.inject({
    method: 'POST',
    url: URL,
    headers: { authorization: `Bearer ${token}`, ...(key === undefined ? {} : { 'idempotency-key': key }) },
    payload: payload as Record<string, unknown>,
  });
}

describeEachDatabase('Idempotency-Key on POST creations', (tier) => {
  let db: TestDatabase;
  let t: TestApp;
  let counter: IdempotencyFixtureCounter;
  let alice: string;
  let bob: string;

  const login = (label: string): Promise<string> => registerAndLogin(t.app, label);
  const post = (token: string, payload: unknown, key?: string): Promise<Injected> =>
    postThing(t.app, token, payload, key);

  async function storedRows(key: string): Promise<Array<Record<string, unknown>>> {
    const client = t.app.get(DatabaseClient);
    return rowsOf(
      await client.db.execute(
        sql`select state, response_status, jsonb_typeof(response_body) as body_type, response_headers,
                   expires_at > now() + interval '23 hours' as expires_in_a_day
            from idempotency_keys where key = ${key}`,
      ),
    );
  }

  beforeAll(async () => {
    db = await tier.create();
    t = await bootTestApp(db.env, { imports: [IdempotencyModule, IdempotencyFixturesModule] });
    counter = t.app.get(IdempotencyFixtureCounter);
    alice = await login('alice');
    bob = await login('bob');
  });
  afterAll(async () => {
    await t?.close();
    await db?.cleanup();
  });

  it('without a key, every request runs', async () => {
    const name = newName('nokey');
    const first = await post(alice, { name });
    const second = await post(alice, { name });
    expect(first.statusCode, first.body).toBe(201);
    expect(second.statusCode).toBe(201);
    expect(second.json<{ id: string }>().id).not.toBe(first.json<{ id: string }>().id);
    expect(second.headers['idempotent-replayed']).toBeUndefined();
    expect(counter.count(name)).toBe(2);
  });

  it('same key and same body: one execution, the first response replayed with Idempotent-Replayed', async () => {
    const name = newName('replay');
    const key = newKey();
    const first = await post(alice, { name }, key);
    expect(first.statusCode, first.body).toBe(201);
    expect(first.headers.location).toMatch(/^\/v1\/idem-fixtures\/things\/[0-9a-f-]{36}$/);
    expect(first.headers['idempotent-replayed']).toBeUndefined();

    const second = await post(alice, { name }, key);
    expect(comparable(second)).toEqual(comparable(first));
    expect(second.body).toBe(first.body);
    expect(second.headers['idempotent-replayed']).toBe('true');
    expect(counter.count(name)).toBe(1);

    expect(await storedRows(key)).toEqual([
      {
        state: 'completed',
        response_status: 201,
        body_type: 'object',
        response_headers: { location: first.headers.location, etag: first.headers.etag },
        expires_in_a_day: true,
      },
    ]);
  });

  it('the body is compared canonically: the same JSON with keys in another order is the same request', async () => {
    const name = newName('canonical');
    const key = newKey();
    const first = await post(alice, { name, fail: undefined }, key);
    const reordered = await t.app.inject({
      method: 'POST',
      url: URL,
      headers: { authorization: `Bearer ${alice}`, 'idempotency-key': key, 'content-type': 'application/json' },
      payload: `{ "name" : ${JSON.stringify(name)} }`,
    });
    expect(reordered.headers['idempotent-replayed']).toBe('true');
    expect(reordered.body).toBe(first.body);
    expect(counter.count(name)).toBe(1);
  });

  it('same key with a different body is a 422 and runs nothing', async () => {
    const key = newKey();
    const name = newName('first');
    expect((await post(alice, { name }, key)).statusCode).toBe(201);
    const other = newName('other');
    const res = await post(alice, { name: other }, key);
    expect(res.statusCode, res.body).toBe(422);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.json()).toMatchObject({
      status: 422,
      type: REUSED_TYPE,
      detail: 'Idempotency-Key reused with a different request',
    });
    expect(counter.count(other)).toBe(0);
    // The stored response is untouched: the original request still replays.
    expect((await post(alice, { name }, key)).headers['idempotent-replayed']).toBe('true');
  });

  it('keys are per user: the same key from another user is independent', async () => {
    const key = newKey();
    const name = newName('shared');
    const fromAlice = await post(alice, { name }, key);
    const fromBob = await post(bob, { name }, key);
    expect(fromAlice.statusCode).toBe(201);
    expect(fromBob.statusCode).toBe(201);
    expect(fromBob.headers['idempotent-replayed']).toBeUndefined();
    expect(fromBob.json<{ id: string }>().id).not.toBe(fromAlice.json<{ id: string }>().id);
    expect(counter.count(name)).toBe(2);
    // And Bob's different body under the same key is not a conflict with Alice's.
    expect((await post(bob, { name: newName('bob') }, newKey())).statusCode).toBe(201);
  });

  it('20 concurrent requests with one key: exactly one execution, the others 409 in flight or the replay', async () => {
    const key = newKey();
    const name = newName('race');
    const responses = await Promise.all(Array.from({ length: 20 }, () => post(alice, { name }, key)));
    expect(counter.count(name)).toBe(1);

    const original = responses.filter((r) => r.statusCode === 201 && r.headers['idempotent-replayed'] === undefined);
    expect(original).toHaveLength(1);
    const created = original[0] as Injected;
    for (const res of responses) {
      if (res === created) continue;
      if (res.statusCode === 409) {
        expect(res.json()).toMatchObject({ status: 409, type: IN_PROGRESS_TYPE });
        expect(res.headers['retry-after']).toBe('1');
      } else {
        expect(res.statusCode, res.body).toBe(201);
        expect(res.headers['idempotent-replayed']).toBe('true');
        expect(res.body).toBe(created.body);
      }
    }
    expect(responses.filter((r) => r.statusCode === 409).length).toBeGreaterThan(0);

    const after = await post(alice, { name }, key);
    expect(after.headers['idempotent-replayed']).toBe('true');
    expect(after.body).toBe(created.body);
    expect(counter.count(name)).toBe(1);
  });

  it("a 4xx raised by the handler (409 out of stock) is the key's outcome and is replayed", async () => {
    const key = newKey();
    const name = newName('conflict');
    const first = await post(alice, { name, fail: 'conflict' }, key);
    expect(first.statusCode, first.body).toBe(409);
    expect(first.headers['idempotent-replayed']).toBeUndefined();
    expect(first.json()).toMatchObject({ type: 'https://errors.example.dev/conflict', execution: 1 });

    const second = await post(alice, { name, fail: 'conflict' }, key);
    expect(comparable(second)).toEqual(comparable(first));
    expect(second.headers['idempotent-replayed']).toBe('true');
    expect(second.json<{ requestId: string }>().requestId).toBe(second.headers['x-request-id']);
    expect(second.json()).toMatchObject({ instance: URL });
    expect(counter.count(name)).toBe(1);
  });

  it('a validation 400 stores nothing: the same key then succeeds with a valid body', async () => {
    const key = newKey();
    const name = newName('valid');
    for (const payload of [{ name: '' }, { name, extra: true }, { name, fail: 'nope' }]) {
      const res = await post(alice, payload, key);
      expect(res.statusCode, res.body).toBe(400);
      expect(res.json()).toMatchObject({ type: 'https://errors.example.dev/validation' });
      expect(res.headers['idempotent-replayed']).toBeUndefined();
      expect(await storedRows(key)).toEqual([]);
    }
    const ok = await post(alice, { name }, key);
    expect(ok.statusCode, ok.body).toBe(201);
    expect(ok.headers['idempotent-replayed']).toBeUndefined();
    expect(counter.count(name)).toBe(1);
  });

  it('a 500 stores nothing: the same key retried runs again', async () => {
    const key = newKey();
    const name = newName('boom');
    const first = await post(alice, { name, fail: 'boom' }, key);
    expect(first.statusCode, first.body).toBe(500);
    expect(await storedRows(key)).toEqual([]);
    const second = await post(alice, { name, fail: 'boom' }, key);
    expect(second.statusCode).toBe(500);
    expect(second.headers['idempotent-replayed']).toBeUndefined();
    expect(counter.count(name)).toBe(2);
  });

  it('a malformed key is a 400 and runs nothing', async () => {
    const name = newName('badkey');
    for (const key of ['', 'x'.repeat(256), 'clé', 'tab\there']) {
      const res = await post(alice, { name }, key);
      expect(res.statusCode, `${JSON.stringify(key)}: ${res.body}`).toBe(400);
      expect(res.json()).toMatchObject({
        type: 'https://errors.example.dev/validation',
        errors: [{ field: 'Idempotency-Key', message: expect.any(String) }],
      });
    }
    expect(counter.count(name)).toBe(0);
    // The limits themselves are fine: 255 printable characters, spaces and punctuation included.
    expect((await post(alice, { name }, 'k'.repeat(255))).statusCode).toBe(201);
    expect((await post(alice, { name: newName('punct') }, 'order 42: {"a"} ~!')).statusCode).toBe(201);
  });

  it('an expired key runs again and is claimed afresh; purgeExpired removes expired rows', async () => {
    const key = newKey();
    const name = newName('expired');
    const first = await post(alice, { name }, key);
    expect(first.statusCode).toBe(201);
    const client = t.app.get(DatabaseClient);
    await client.db.execute(
      sql`update idempotency_keys set expires_at = now() - interval '1 second' where key = ${key}`,
    );

    const second = await post(alice, { name }, key);
    expect(second.statusCode).toBe(201);
    expect(second.headers['idempotent-replayed']).toBeUndefined();
    expect(second.json<{ id: string }>().id).not.toBe(first.json<{ id: string }>().id);
    expect(counter.count(name)).toBe(2);
    expect(await storedRows(key)).toMatchObject([{ state: 'completed', expires_in_a_day: true }]);

    // Expired under another body: not a 422, the old request is forgotten.
    await client.db.execute(
      sql`update idempotency_keys set expires_at = now() - interval '1 second' where key = ${key}`,
    );
    const other = newName('after-expiry');
    expect((await post(alice, { name: other }, key)).statusCode).toBe(201);
    expect(counter.count(other)).toBe(1);

    await client.db.execute(
      sql`update idempotency_keys set expires_at = now() - interval '1 second' where key = ${key}`,
    );
    expect(await t.app.get(IdempotencyService).purgeExpired()).toBeGreaterThanOrEqual(1);
    expect(await storedRows(key)).toEqual([]);
  });
});

describe('Idempotency-Key and the request timeout', () => {
  let db: TestDatabase;
  let t: TestApp;

  beforeAll(async () => {
    db = await pgliteTier.create();
    t = await bootTestApp(
      { ...db.env, REQUEST_TIMEOUT_MS: '300' },
      { imports: [IdempotencyModule, IdempotencyFixturesModule] },
    );
  });
  afterAll(async () => {
    await t?.close();
    await db?.cleanup();
  });

  it('a handler that outlives the timeout still records its outcome: 503, then 409 while it runs, then the replay', async () => {
    const token = await registerAndLogin(t.app, 'slow');
    const counter = t.app.get(IdempotencyFixtureCounter);
    counter.delayMs = 600;
    const key = newKey();
    const name = newName('slow');

    const first = await postThing(t.app, token, { name }, key);
    expect(first.statusCode, first.body).toBe(503);
    const inFlight = await postThing(t.app, token, { name }, key);
    expect(inFlight.statusCode, inFlight.body).toBe(409);
    expect(inFlight.json()).toMatchObject({ type: IN_PROGRESS_TYPE });

    await new Promise((resolve) => setTimeout(resolve, 700));
    const replayed = await postThing(t.app, token, { name }, key);
    expect(replayed.statusCode, replayed.body).toBe(201);
    expect(replayed.headers['idempotent-replayed']).toBe('true');
    expect(replayed.headers.location).toMatch(/^\/v1\/idem-fixtures\/things\//);
    expect(replayed.json()).toMatchObject({ name, execution: 1 });
    expect(counter.count(name)).toBe(1);
  });
});
