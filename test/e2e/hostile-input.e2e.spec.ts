import { setTimeout as sleep } from 'node:timers/promises';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SECURITY_HEADERS } from '@app/core';
import { AuthApi, authHeader, signHmac } from '../support/auth';
import { freePort, runBuiltApi, STRONG_SECRET, waitForStatus } from '../support/processes';
import { rawRequest, type RawExchange } from '../support/raw-http';
import { bootTestApp, type TestApp } from '../support/test-app';

/**
 * What a hostile or broken client can do below and around the handlers: slow or short requests, malformed
 * HTTP, URLs the router refuses, bodies over a route's limit, queries too wide to map, tokens bound to another
 * user's session, uploads dropped halfway. (The random requests are in test/fuzz.)
 */

const LOGIN_HEAD = 'POST /v1/auth/login HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n';

function expectProblemAnswer(exchange: RawExchange, status: number): void {
  expect(exchange.status, exchange.response.slice(0, 300)).toBe(status);
  expect(exchange.headers['content-type']).toMatch(/^application\/problem\+json/);
  for (const [name, value] of SECURITY_HEADERS) expect(exchange.headers[name.toLowerCase()], name).toBe(value);
  expect(exchange.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  const body = JSON.parse(exchange.body) as { status: number; type: string; title: string };
  expect(body.status).toBe(status);
  expect(body.type).toMatch(/^https:\/\/errors\.example\.dev\//);
}

describe('hostile input at the HTTP layer', () => {
  let t: TestApp;
  let url: string;

  beforeAll(async () => {
    t = await bootTestApp(
      {
        DATABASE_URL: 'memory://',
        HTTP_HEADERS_TIMEOUT_MS: '300',
        HTTP_BODY_TIMEOUT_MS: '600',
        HTTP_KEEP_ALIVE_TIMEOUT_MS: '300',
      },
      { listen: true },
    );
    url = t.url as string;
  });
  afterAll(() => t.close());

  describe('slow clients are cut off with 408 and the connection closed', () => {
    it('a head that never ends', async () => {
      const exchange = await rawRequest(url, 'GET /health/live HTTP/1.1\r\nHost: t\r\n');
      expect(exchange.closedByServer).toBe(true);
      expectProblemAnswer(exchange, 408);
    });

    it('a body shorter than its Content-Length', async () => {
      const exchange = await rawRequest(url, `${LOGIN_HEAD}Content-Length: 100\r\n\r\n{"email":`);
      expect(exchange.closedByServer).toBe(true);
      expectProblemAnswer(exchange, 408);
    });

    it('a body dripped one byte at a time', async () => {
      const body = JSON.stringify({ email: 'slow@example.test', password: 'x'.repeat(40) });
      const exchange = await rawRequest(url, `${LOGIN_HEAD}Content-Length: ${body.length}\r\n\r\n`, {
        drip: body,
        dripMs: 100,
      });
      // The drip would take 6 s; the server stops waiting long before.
      expect(exchange.closedByServer).toBe(true);
      expectProblemAnswer(exchange, 408);
    });

    it('an idle keep-alive connection is closed after its answer', async () => {
      const exchange = await rawRequest(url, 'GET /health/live HTTP/1.1\r\nHost: t\r\n\r\n');
      expect(exchange.status).toBe(200);
      expect(exchange.closedByServer).toBe(true);
    });
  });

  describe("answers from Node's parser and Fastify's router are problem+json with the security headers", () => {
    it.each<[string, number, string]>([
      ['a malformed request line', 400, 'GARBAGE\r\n\r\n'],
      ['header fields too large', 431, `GET /health/live HTTP/1.1\r\nHost: t\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`],
      [
        'Content-Length and Transfer-Encoding together',
        400,
        `${LOGIN_HEAD}Content-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n`,
      ],
      ['an HTTP/1.1 request without Host', 400, 'GET /health/live HTTP/1.1\r\n\r\n'],
      [
        'an Expect header other than 100-continue',
        417,
        `${LOGIN_HEAD}Expect: the-unexpected\r\nContent-Length: 2\r\n\r\n{}`,
      ],
      ['bad percent-encoding in the path', 400, 'GET /v1/products/%zz HTTP/1.1\r\nHost: t\r\n\r\n'],
      ['an over-long path parameter', 414, `GET /v1/products/${'a'.repeat(300)} HTTP/1.1\r\nHost: t\r\n\r\n`],
    ])('%s → %i', async (_name, status, text) => {
      expectProblemAnswer(await rawRequest(url, text), status);
    });

    it('a HEAD request whose headers are too large gets the answer without a body', async () => {
      const exchange = await rawRequest(
        url,
        `HEAD /health/live HTTP/1.1\r\nHost: t\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`,
      );
      expect(exchange.status).toBe(431);
      expect(exchange.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(exchange.body).toBe('');
    });

    it('the same security headers as any API answer', async () => {
      const res = await fetch(`${url}/health/live`);
      for (const [name, value] of SECURITY_HEADERS) expect(res.headers.get(name), name).toBe(value);
    });
  });

  describe('limits that apply before validation', () => {
    it('a route refuses a body over its own limit (login takes 4 KiB) with 413, before reading it all', async () => {
      const res = await fetch(`${url}/v1/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: 'a@example.test', password: 'p'.repeat(5_000) }),
      });
      expect(res.status).toBe(413);
      expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    });

    it('a query string with more keys than an object may have is a 400 before it is mapped', async () => {
      const api = new AuthApi(t.app);
      const user = await api.newUser();
      const query = Array.from({ length: 500 }, (_, i) => `k${i}=1`).join('&');
      const res = await fetch(`${url}/v1/orders?${query}`, { headers: authHeader(user.tokens.accessToken) });
      expect(res.status).toBe(400);
      expect(await res.json()).toMatchObject({ type: 'https://errors.example.dev/body-limits', limit: 100 });
    });
  });

  it("a validly signed token naming another user's session is refused", async () => {
    const api = new AuthApi(t.app);
    const [alice, bob] = await Promise.all([api.newUser('Alice'), api.newUser('Bob')]);
    const claims = decodeJwt(alice.tokens.accessToken);
    const own = await signHmac(claims);
    const borrowed = await signHmac({ ...claims, sid: decodeJwt(bob.tokens.accessToken).sid });
    const me = (token: string) => fetch(`${url}/v1/users/me`, { headers: authHeader(token) });
    expect((await me(own)).status).toBe(200);
    expect((await me(borrowed)).status).toBe(401);
  });
});

describe('a client that drops its upload (built app, production settings)', () => {
  it('is neither a 5xx in /metrics nor an error in the log', async () => {
    const port = await freePort();
    const proc = runBuiltApi({
      NODE_ENV: 'production',
      JWT_SECRET: STRONG_SECRET,
      METRICS_PUBLIC: 'true',
      HOST: '127.0.0.1',
      PORT: String(port),
      DATABASE_URL: 'memory://',
      LOG_LEVEL: 'info',
      SHUTDOWN_DRAIN_MS: '0',
    });
    const base = `http://127.0.0.1:${port}`;
    try {
      await waitForStatus(`${base}/health/ready`, 200);
      for (let i = 0; i < 3; i++) {
        await rawRequest(base, `${LOGIN_HEAD}Content-Length: 3000\r\n\r\n{"email":"gone@example.test",`, {
          abortAfterWrite: true,
        });
      }
      await sleep(300);
      const metrics = await (await fetch(`${base}/metrics`)).text();
      const loginLines = metrics
        .split('\n')
        .filter((line) => line.startsWith('http_requests_total{') && line.includes('/v1/auth/login'));
      // Counted, as 499 (client closed request), never as a server error.
      expect(loginLines.some((line) => line.includes('status="499"'))).toBe(true);
      expect(loginLines.filter((line) => /status="5\d\d"/.test(line))).toEqual([]);
      const logLines = proc
        .stdout()
        .split('\n')
        .filter((line) => line.startsWith('{'))
        .map((line) => JSON.parse(line) as { level: number; msg?: string; err?: unknown });
      expect(logLines.filter((line) => line.level >= 50)).toEqual([]);
    } finally {
      proc.child.kill('SIGTERM');
      await proc.exited;
    }
  });
});
