import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pgliteTier, type TestDatabase } from '../support/databases';
import { bootTestApp, type TestApp } from '../support/test-app';

const METRICS_TOKEN = 'scrape-token-0123456789';

describe('GET /metrics', () => {
  let db: TestDatabase;
  let t: TestApp;

  beforeAll(async () => {
    db = await pgliteTier.create();
    t = await bootTestApp({ ...db.env, RATE_LIMIT_PER_MINUTE: '3', METRICS_TOKEN });
  });
  afterAll(async () => {
    await t?.close();
    await db?.cleanup();
  });

  const scrape = async (): Promise<string> => {
    const res = await t.app.inject({
      method: 'GET',
      url: '/metrics',
      headers: { authorization: `Bearer ${METRICS_TOKEN}` },
    });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    return res.body;
  };

  it('needs the bearer token when METRICS_TOKEN is set', async () => {
    expect((await t.app.inject({ method: 'GET', url: '/metrics' })).statusCode).toBe(401);
    const wrong = await t.app.inject({ method: 'GET', url: '/metrics', headers: { authorization: 'Bearer nope' } });
    expect(wrong.statusCode).toBe(401);
  });

  it('counts requests by method, route template and status, with a duration histogram', async () => {
    await t.app.inject({ method: 'GET', url: '/health/live' });
    await t.app.inject({ method: 'GET', url: '/v1/products/not-a-uuid' });
    await t.app.inject({ method: 'GET', url: `/v1/random-${Date.now()}` });
    const body = await scrape();
    expect(body).toMatch(/^http_requests_total\{method="GET",route="\/health\/live",status="200"\} [1-9]/m);
    expect(body).toMatch(/^http_requests_total\{method="GET",route="\/v1\/products\/:id",status="401"\} 1$/m);
    // Unknown URLs share one label: a scan cannot create a series per URL.
    expect(body).toMatch(/^http_requests_total\{method="GET",route="unmatched",status="404"\} [1-9]/m);
    expect(body).not.toContain('random-');
    expect(body).toMatch(
      /^http_request_duration_seconds_bucket\{le="0\.005",method="GET",route="\/health\/live",status="200"\}/m,
    );
  });

  it('exposes event-loop delay, heap and database pool series', async () => {
    const body = await scrape();
    expect(body).toMatch(/^nodejs_eventloop_lag_p99_seconds \d/m);
    expect(body).toMatch(/^nodejs_heap_size_used_bytes \d/m);
    expect(body).toMatch(/^db_pool_connections\{state="idle"\} 1$/m);
    expect(body).toMatch(/^db_pool_connections\{state="waiting"\} 0$/m);
  });

  it('counts rate-limit rejections, and is never rate limited itself', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) statuses.push((await t.app.inject({ method: 'GET', url: '/v1/users/me' })).statusCode);
    expect(statuses).toContain(429);
    for (let i = 0; i < 5; i++) await scrape();
    expect(await scrape()).toMatch(/^rate_limit_rejections_total\{route="\/v1\/users\/me"\} [1-9]/m);
  });
});
