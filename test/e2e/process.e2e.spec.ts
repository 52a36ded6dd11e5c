import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { PgliteTemplate } from '../support/pglite-template';
import { runBuiltApi, type RunningProcess, startBuiltApi, STRONG_SECRET, waitForStatus } from '../support/processes';

const logLines = (proc: RunningProcess): Array<Record<string, unknown>> =>
  proc
    .stdout()
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Record<string, unknown>);

describe('the built app refuses a bad configuration', () => {
  it.each([
    [{ PORT: 'abc' }, /^Invalid configuration: PORT must be an integer \(got "abc"\)$/],
    [{ DATABASE_URL: 'postgres//db' }, /^Invalid configuration: DATABASE_URL must be memory:\/\/ or a postgres:/],
    [
      { NODE_ENV: 'production', METRICS_PUBLIC: 'true' },
      /^Invalid configuration: JWT_SECRET is required when NODE_ENV=production$/,
    ],
    [
      { NODE_ENV: 'production', JWT_SECRET: STRONG_SECRET },
      /^Invalid configuration: METRICS_TOKEN is required when NODE_ENV=production; or set METRICS_PUBLIC=true/,
    ],
    [
      { NODE_ENV: 'production', JWT_SECRET: 'change-me-change-me-change-me-change-me' },
      /JWT_SECRET looks like a placeholder/,
    ],
  ])('%o: exit code 1 and one line naming the variable', async (env, message) => {
    const proc = runBuiltApi(env as Record<string, string>);
    const { code } = await proc.exited;
    expect(code).toBe(1);
    const lines = proc.stderr().trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(message);
    expect(proc.stdout()).toBe('');
  });
});

describe('the built app on embedded PGlite, over a real socket', () => {
  let proc: RunningProcess;
  let base: string;
  let cleanup: () => void;

  beforeAll(async () => {
    const clone = PgliteTemplate.clone(inject('pgliteTemplateDir'));
    cleanup = clone.cleanup;
    ({ proc, base } = await startBuiltApi({
      DATA_DIR: clone.dataDir,
      LOG_LEVEL: 'debug',
      SHUTDOWN_DRAIN_MS: '1500',
    }));
    await waitForStatus(`${base}/health/startup`, 200);
  });
  afterAll(() => {
    if (proc?.child.exitCode === null) proc.child.kill('SIGKILL');
    cleanup?.();
  });

  it('answers the probes', async () => {
    expect((await fetch(`${base}/health/live`)).status).toBe(200);
    const ready = await fetch(`${base}/health/ready`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ details: { database: { status: 'up', driver: 'pglite' } } });
  });

  it('writes one JSON log line per request with id, method, route, status and duration, secrets redacted', async () => {
    const res = await fetch(`${base}/v1/nothing-here`, {
      headers: { 'x-request-id': 'trace-me-1', authorization: 'Bearer super-secret-token', cookie: 'session=abc' },
    });
    expect(res.status).toBe(404);
    expect(res.headers.get('x-request-id')).toBe('trace-me-1');
    await new Promise((r) => setTimeout(r, 200));
    const line = logLines(proc).find((entry) => entry.requestId === 'trace-me-1');
    expect(line).toMatchObject({
      req: { method: 'GET', url: '/v1/nothing-here' },
      res: { statusCode: 404 },
      durationMs: expect.any(Number),
    });
    expect(JSON.stringify(line)).not.toContain('super-secret-token');
    expect(JSON.stringify(line)).not.toContain('session=abc');
    expect(JSON.stringify(line)).toContain('[redacted]');
  });

  it('logs probes at debug level, with the route template', async () => {
    await fetch(`${base}/health/live?from=kubelet`, { headers: { 'x-request-id': 'probe-1' } });
    await new Promise((r) => setTimeout(r, 200));
    const line = logLines(proc).find((e) => e.requestId === 'probe-1');
    // The path only: a query string may carry anything, and is never logged.
    expect((line?.req as { url?: string } | undefined)?.url).toBe('/health/live');
    expect(line).toMatchObject({
      level: 20,
      route: '/health/live',
      res: { statusCode: 200 },
      requestId: expect.any(String),
    });
  });

  it('on SIGTERM: not ready at once, still serving during the drain, then exit 0', async () => {
    proc.child.kill('SIGTERM');
    await waitForStatus(`${base}/health/ready`, 503, 1_000);
    expect((await fetch(`${base}/health/live`)).status).toBe(200);
    expect((await fetch(`${base}/v1/still-routed`)).status).toBe(404);
    const { code } = await proc.exited;
    expect(code).toBe(0);
    expect(proc.stdout()).toContain('draining for 1500 ms');
  });
});

describe('npm run db:seed (the built script) on embedded PGlite', () => {
  it('adds the demo products once; running it again adds nothing', async () => {
    const clone = PgliteTemplate.clone(inject('pgliteTemplateDir'));
    try {
      const env = { DATA_DIR: clone.dataDir, JWT_SECRET: STRONG_SECRET };
      const first = runBuiltApi(env, 'seed');
      expect((await first.exited).code).toBe(0);
      expect(first.stdout()).toMatch(/seed: 5 product\(s\) added, 0 already present/);
      const second = runBuiltApi(env, 'seed');
      expect((await second.exited).code).toBe(0);
      expect(second.stdout()).toMatch(/seed: 0 product\(s\) added, 5 already present/);
    } finally {
      clone.cleanup();
    }
  });

  it('refuses to open the data directory while the API holds it (one process per PGlite directory)', async () => {
    const clone = PgliteTemplate.clone(inject('pgliteTemplateDir'));
    const { proc: api, base: apiBase } = await startBuiltApi({ DATA_DIR: clone.dataDir, LOG_LEVEL: 'silent' });
    try {
      await waitForStatus(`${apiBase}/health/startup`, 200);
      const seed = runBuiltApi({ DATA_DIR: clone.dataDir, JWT_SECRET: STRONG_SECRET }, 'seed');
      expect((await seed.exited).code).toBe(1);
      expect(seed.stdout() + seed.stderr()).toContain(`is in use by process ${api.child.pid}`);
      expect((await fetch(`${apiBase}/health/ready`)).status).toBe(200);
    } finally {
      api.child.kill('SIGKILL');
      await api.exited;
      clone.cleanup();
    }
  });
});
