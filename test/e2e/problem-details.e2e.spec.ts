import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorFixturesModule } from '../fixtures/error-fixtures.module';
import { describeEachDatabase, pgliteTier, type TestDatabase } from '../support/databases';
import { bootTestApp, type TestApp } from '../support/test-app';

type Injected = Awaited<ReturnType<NestFastifyApplication['inject']>>;

function expectProblem(res: Injected, status: number, instance: string): Record<string, unknown> {
  expect(res.statusCode).toBe(status);
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  const body = res.json() as Record<string, unknown>;
  expect(body).toMatchObject({ status, instance, title: expect.any(String), type: expect.any(String) });
  expect(body.requestId).toBe(res.headers['x-request-id']);
  expect(JSON.stringify(body)).not.toMatch(/stack|at .*\.ts:\d+|postgres:\/\//);
  return body;
}

describe('problem+json for every error source', () => {
  let db: TestDatabase;
  let t: TestApp;

  beforeAll(async () => {
    db = await pgliteTier.create();
    t = await bootTestApp({ ...db.env, REQUEST_TIMEOUT_MS: '300' }, { imports: [ErrorFixturesModule] });
  });
  afterAll(async () => {
    await t?.close();
    await db?.cleanup();
  });

  it('a handler slower than REQUEST_TIMEOUT_MS gets a 503 timeout problem', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/v1/fixtures/slow' });
    const body = expectProblem(res, 503, '/v1/fixtures/slow');
    expect(body.type).toBe('https://errors.example.dev/timeout');
    expect(res.headers['retry-after']).toBe('1');
  });

  it('validation failures list every invalid field with its path', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/v1/fixtures/echo',
      payload: { name: '', items: [{ productId: 'nope', quantity: 0 }], role: 'admin' },
    });
    const body = expectProblem(res, 400, '/v1/fixtures/echo');
    expect(body.type).toBe('https://errors.example.dev/validation');
    const errors = body.errors as Array<{ field: string; message: string }>;
    expect(errors.map((e) => e.field).sort()).toEqual(['items[0].productId', 'items[0].quantity', 'name', 'role']);
    expect(errors.find((e) => e.field === 'role')?.message).toBe('is not allowed');
    expect(body.detail).toBe('4 fields are invalid');
  });

  it('a valid body passes through, transformed to the DTO', async () => {
    const payload = { name: 'ok', items: [{ productId: '6f1c2d3e-4b5a-4c7d-8e9f-0a1b2c3d4e5f', quantity: 2 }] };
    const res = await t.app.inject({ method: 'POST', url: '/v1/fixtures/echo', payload });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual(payload);
  });

  it('strings are not implicitly converted to numbers', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/v1/fixtures/echo',
      payload: { name: 'x', items: [{ productId: '6f1c2d3e-4b5a-4c7d-8e9f-0a1b2c3d4e5f', quantity: '2' }] },
    });
    const body = expectProblem(res, 400, '/v1/fixtures/echo');
    const errors = body.errors as Array<{ field: string; message: string }>;
    expect(new Set(errors.map((e) => e.field))).toEqual(new Set(['items[0].quantity']));
    expect(errors.some((e) => e.message.includes('integer'))).toBe(true);
  });

  it('a JSON body that is not an object is a 400, not a 500', async () => {
    for (const payload of ['[1,2]', '"text"', 'null']) {
      const res = await t.app.inject({
        method: 'POST',
        url: '/v1/fixtures/echo',
        payload,
        headers: { 'content-type': 'application/json' },
      });
      expectProblem(res, 400, '/v1/fixtures/echo');
    }
  });

  it('malformed JSON is a 400 malformed-body problem', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/v1/fixtures/echo',
      payload: '{"name": ',
      headers: { 'content-type': 'application/json' },
    });
    const body = expectProblem(res, 400, '/v1/fixtures/echo');
    expect(body.type).toBe('https://errors.example.dev/malformed-body');
  });

  it('prototype poisoning in JSON is refused with 400', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/v1/fixtures/echo',
      payload: '{"name":"x","items":[],"__proto__":{"admin":true}}',
      headers: { 'content-type': 'application/json' },
    });
    expectProblem(res, 400, '/v1/fixtures/echo');
  });

  it('a body over the limit is a 413', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/v1/fixtures/echo',
      payload: JSON.stringify({ name: 'x'.repeat(1024 * 1024 + 10), items: [] }),
      headers: { 'content-type': 'application/json' },
    });
    const body = expectProblem(res, 413, '/v1/fixtures/echo');
    expect(body.type).toBe('https://errors.example.dev/payload-too-large');
  });

  it.each(['text/plain', 'application/x-www-form-urlencoded', 'application/xml'])(
    'a %s body is a 415',
    async (type) => {
      const res = await t.app.inject({
        method: 'POST',
        url: '/v1/fixtures/echo',
        payload: 'name=x',
        headers: { 'content-type': type },
      });
      const body = expectProblem(res, 415, '/v1/fixtures/echo');
      expect(body.type).toBe('https://errors.example.dev/unsupported-media-type');
    },
  );

  it('an unknown route is a 404', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/v1/does-not-exist?x=1' });
    expectProblem(res, 404, '/v1/does-not-exist');
  });

  it("Nest's HTTP exceptions keep their status and message", async () => {
    const res = await t.app.inject({ method: 'GET', url: '/v1/fixtures/conflict' });
    const body = expectProblem(res, 409, '/v1/fixtures/conflict');
    expect(body.detail).toBe('That is taken');
  });

  it('a pipe rejection (ParseUUIDPipe) is a 400', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/v1/fixtures/things/not-a-uuid' });
    expectProblem(res, 400, '/v1/fixtures/things/not-a-uuid');
  });

  it('an unexpected error is a generic 500 without internals', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/v1/fixtures/boom' });
    const body = expectProblem(res, 500, '/v1/fixtures/boom');
    expect(body.detail).not.toContain('internal detail');
    expect(res.body).not.toContain('secret');
  });

  it('routes are versioned under /v1 and probes are not', async () => {
    expect((await t.app.inject({ method: 'GET', url: '/fixtures/conflict' })).statusCode).toBe(404);
    expect((await t.app.inject({ method: 'GET', url: '/v1/health/live' })).statusCode).toBe(404);
    expect((await t.app.inject({ method: 'GET', url: '/health/live' })).statusCode).toBe(200);
  });

  it('every response carries security headers and no X-Powered-By', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/health/live' });
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['x-frame-options']).toBe('DENY');
    expect(res.headers['strict-transport-security']).toContain('max-age=');
    // A CSP that allows nothing (none of helmet's defaults for HTML pages).
    expect(res.headers['content-security-policy']).toBe(
      "default-src 'none';frame-ancestors 'none';base-uri 'none';form-action 'none'",
    );
    expect(res.headers['x-powered-by']).toBeUndefined();
    // Headers that only matter to an HTML document are not sent.
    for (const name of ['x-xss-protection', 'x-dns-prefetch-control', 'x-download-options', 'origin-agent-cluster']) {
      expect(res.headers[name], name).toBeUndefined();
    }
  });
});

describe('request ids', () => {
  let db: TestDatabase;
  let t: TestApp;

  beforeAll(async () => {
    db = await pgliteTier.create();
    t = await bootTestApp(db.env, { imports: [ErrorFixturesModule] });
  });
  afterAll(async () => {
    await t?.close();
    await db?.cleanup();
  });

  it('generates a UUID when the client sends none, on success and on error', async () => {
    for (const url of ['/health/live', '/v1/nowhere', '/v1/fixtures/boom']) {
      const res = await t.app.inject({ method: 'GET', url });
      expect(res.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    }
  });

  it('keeps a well-formed incoming X-Request-Id and uses it in the problem body', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/v1/nowhere', headers: { 'x-request-id': 'edge-42.abc' } });
    expect(res.headers['x-request-id']).toBe('edge-42.abc');
    expect(res.json()).toMatchObject({ requestId: 'edge-42.abc' });
  });

  it('replaces an incoming id that is too long or has unsafe characters', async () => {
    for (const bad of ['x'.repeat(200), 'a b', 'id\twith-tab', '<script>']) {
      const res = await t.app.inject({ method: 'GET', url: '/health/live', headers: { 'x-request-id': bad } });
      expect(res.headers['x-request-id']).not.toBe(bad);
      expect(res.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    }
  });
});

describeEachDatabase('database errors as problems', (tier) => {
  let db: TestDatabase;
  let t: TestApp;

  beforeAll(async () => {
    db = await tier.create();
    t = await bootTestApp(db.env, { imports: [ErrorFixturesModule] });
  });
  afterAll(async () => {
    await t?.close();
    await db?.cleanup();
  });

  it('a unique violation is a 409 conflict, and the failed write left nothing behind', async () => {
    const first = await t.app.inject({ method: 'POST', url: '/v1/fixtures/unique', payload: { key: 'k1' } });
    expect(first.statusCode).toBe(201);
    const second = await t.app.inject({ method: 'POST', url: '/v1/fixtures/unique', payload: { key: 'k1' } });
    const body = expectProblem(second, 409, '/v1/fixtures/unique');
    expect(body.type).toBe('https://errors.example.dev/conflict');
    expect(second.body).not.toMatch(/fixture_unique|duplicate key|pkey/);
  });

  it('readiness checks the database', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/health/ready' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ status: 'ok', details: { database: { status: 'up', driver: tier.name } } });
  });
});

describe('database unreachable', () => {
  let t: TestApp;

  beforeAll(async () => {
    // Nothing listens on port 9: connecting fails at once, as when PostgreSQL is down.
    t = await bootTestApp(
      {
        DATABASE_URL: 'postgres://postgres@127.0.0.1:9/none',
        DB_MIGRATE_ON_START: 'false',
        DB_CONNECT_TIMEOUT_MS: '500',
      },
      { imports: [ErrorFixturesModule] },
    );
  });
  afterAll(async () => {
    await t?.close();
  });

  it('a request that needs the database gets 503 with Retry-After', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/v1/fixtures/db' });
    const body = expectProblem(res, 503, '/v1/fixtures/db');
    expect(body.type).toBe('https://errors.example.dev/service-unavailable');
    expect(res.headers['retry-after']).toBe('2');
    expect(res.body).not.toContain('ECONNREFUSED');
  });

  it('readiness is 503 with check details, liveness stays 200', async () => {
    const ready = await t.app.inject({ method: 'GET', url: '/health/ready' });
    const body = expectProblem(ready, 503, '/health/ready');
    expect(body.checks).toMatchObject({ database: { status: 'down' } });
    expect((await t.app.inject({ method: 'GET', url: '/health/live' })).statusCode).toBe(200);
  });
});
