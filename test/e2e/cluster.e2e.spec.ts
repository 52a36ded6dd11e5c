import { readMigrationFiles } from 'drizzle-orm/migrator';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultMigrationsFolder } from '@app/database';
import { postgresTier, type TestDatabase } from '../support/databases';
import { createTestRedis, redisSkipReason, type TestRedis } from '../support/redis';
import {
  adminWithProduct,
  eventually,
  getOnNewConnection,
  jsonLogLines,
  listeningWorkers,
  processAlive,
  runBuiltApi,
  type RunningProcess,
  startBuiltApi,
  STRONG_SECRET,
  waitForStatus,
} from '../support/processes';

/**
 * Cluster mode (CLUSTER_WORKERS > 1) with the built app as real processes: a primary and two workers
 * sharing one port, on a fresh PostgreSQL database. Crashes and stuck workers: test/fault/cluster.fault.spec.ts.
 */

const ADMIN = { email: 'cluster-admin@example.test', password: 'Cluster-Admin-Pass-7731' };
const DRAIN_MS = 1_000;

describe('CLUSTER_WORKERS > 1 is refused before any worker starts', () => {
  it.each([
    [
      {},
      /^Invalid configuration: CLUSTER_WORKERS > 1 needs DATABASE_URL=postgres:\/\/…: the embedded PGlite database cannot be shared between processes$/,
    ],
    [{ DATABASE_URL: 'memory://' }, /^Invalid configuration: CLUSTER_WORKERS > 1 needs DATABASE_URL=postgres:\/\//],
    [
      { DATABASE_URL: 'postgres://app@127.0.0.1:1/app', JWT_SECRET: '' },
      /^Invalid configuration: CLUSTER_WORKERS > 1 needs JWT_SECRET: without it each worker would sign tokens with its own secret$/,
    ],
    [
      { DATABASE_URL: 'postgres://app@127.0.0.1:1/app', REDIS_URL: '' },
      /^Invalid configuration: CLUSTER_WORKERS > 1 needs REDIS_URL: without it each worker would keep its own rate limits/,
    ],
  ])('%o: exit code 1, the message once, nothing forked', async (env, message) => {
    const proc = runBuiltApi({
      CLUSTER_WORKERS: '2',
      JWT_SECRET: STRONG_SECRET,
      REDIS_URL: 'redis://127.0.0.1:1',
      ...env,
    });
    expect((await proc.exited).code).toBe(1);
    const lines = proc.stderr().trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(message);
    // A forked worker would have logged (the primary logs each fork).
    expect(proc.stdout()).toBe('');
  });
});

const metricValue = (text: string, series: string): number => {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? 0 : Number(line.slice(series.length + 1));
};

const runningSkipReason = postgresTier.skipReason ?? redisSkipReason;
describe.skipIf(runningSkipReason !== undefined)(
  `two workers on one port (PostgreSQL, Redis)${runningSkipReason ? ` (skipped: ${runningSkipReason})` : ''}`,
  () => {
    let db: TestDatabase;
    let redis: TestRedis;
    let proc: RunningProcess;
    let base: string;
    let workers: Array<{ worker: number; pid: number }>;

    beforeAll(async () => {
      // A fresh database: both workers run the migrations at startup, at the same time.
      db = await postgresTier.create();
      redis = createTestRedis();
      ({ proc, base } = await startBuiltApi({
        ...db.env,
        ...redis.env,
        CLUSTER_WORKERS: '2',
        LOG_LEVEL: 'info',
        ADMIN_EMAIL: ADMIN.email,
        ADMIN_PASSWORD: ADMIN.password,
        RATE_LIMIT_PER_MINUTE: '100000',
        RATE_LIMIT_AUTH_PER_MINUTE: '100000',
        SHUTDOWN_DRAIN_MS: String(DRAIN_MS),
        SHUTDOWN_TIMEOUT_MS: '5000',
      }));
      workers = await eventually(
        `two workers listening\n${proc.stdout().slice(-2000)}\n${proc.stderr().slice(-2000)}`,
        () => {
          const listening = listeningWorkers(proc);
          return listening.length >= 2 ? listening : undefined;
        },
        30_000,
      );
      await waitForStatus(`${base}/health/ready`, 200);
    });

    afterAll(async () => {
      if (proc && proc.child.exitCode === null && proc.child.signalCode === null) {
        // Workers exit by themselves when their primary's IPC channel closes.
        proc.child.kill('SIGKILL');
        await proc.exited;
      }
      for (const { pid } of workers ?? []) if (processAlive(pid)) process.kill(pid, 'SIGKILL');
      await db?.cleanup();
      await redis?.cleanup();
    });

    it('starts two workers besides the primary, which applied the migrations exactly once', async () => {
      expect(workers).toHaveLength(2);
      expect(new Set(workers.map((w) => w.pid)).size).toBe(2);
      expect(workers.map((w) => w.pid)).not.toContain(proc.child.pid);

      const files = readMigrationFiles({ migrationsFolder: defaultMigrationsFolder() });
      const client = new pg.Client({ connectionString: db.env.DATABASE_URL });
      await client.connect();
      try {
        const { rows } = await client.query<{ count: number; hashes: number }>(
          'select count(*)::int as count, count(distinct hash)::int as hashes from drizzle.__drizzle_migrations',
        );
        expect(rows[0]).toEqual({ count: files.length, hashes: files.length });
      } finally {
        await client.end();
      }
    });

    it('both workers answer on the one port', async () => {
      for (let i = 0; i < 12; i++) {
        const res = await getOnNewConnection(`${base}/v1/cluster-probe`, { 'x-request-id': `cluster-probe-${i}` });
        expect(res.status).toBe(404);
      }
      const pids = await eventually('12 request log lines', () => {
        const lines = jsonLogLines(proc).filter((l) => String(l.requestId).startsWith('cluster-probe-'));
        return lines.length === 12 ? new Set(lines.map((l) => l.pid)) : undefined;
      });
      expect([...pids].sort()).toEqual(workers.map((w) => w.pid).sort());
    });

    it('GET /metrics answers, from either worker, for both workers together', async () => {
      const series = 'http_requests_total{method="GET",route="/health/live",status="200"}';
      const before = metricValue((await getOnNewConnection(`${base}/metrics`)).body, series);
      for (let i = 0; i < 10; i++) expect((await getOnNewConnection(`${base}/health/live`)).status).toBe(200);

      // Consecutive connections go to alternate workers: every one answers the same sum.
      const scrapes = [];
      for (let i = 0; i < 4; i++) scrapes.push(await getOnNewConnection(`${base}/metrics`));
      for (const scrape of scrapes) {
        expect(scrape.status).toBe(200);
        expect(metricValue(scrape.body, series)).toBe(before + 10);
      }

      const text = scrapes[0].body;
      expect(text).toMatch(/^cluster_workers 2$/m);
      expect(text).toMatch(/^cluster_worker_restarts_total 0$/m);
      // Per-process series: CPU and memory summed over the workers, the version once, no start time.
      expect(metricValue(text, 'process_cpu_seconds_total')).toBeGreaterThan(0);
      expect(metricValue(text, 'process_resident_memory_bytes')).toBeGreaterThan(0);
      expect(text).toMatch(/^nodejs_version_info\{[^}]*\} 1$/m);
      expect(text).not.toMatch(/^process_start_time_seconds /m);
      expect(text).toMatch(/^nodejs_eventloop_lag_p99_seconds \d/m);
      // Each worker has its own database pool; the gauge counts them all.
      expect(text).toMatch(/^db_pool_connections\{state="idle"\} \d+$/m);
    });

    it('on SIGTERM: requests in flight complete, every worker drains (readiness 503), then the primary exits 0 and no worker remains', async () => {
      const token = await adminWithProduct(base, ADMIN, {
        sku: 'CLUSTER-1',
        name: 'Cluster product',
        priceCents: 1234,
        currency: 'EUR',
        stock: 5,
      });
      // Logins spend argon2 time: these are in flight when the signal arrives.
      const inFlight = Array.from({ length: 4 }, () =>
        fetch(`${base}/v1/auth/login`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(ADMIN),
        }).then((res) => res.status),
      );
      await new Promise((r) => setTimeout(r, 20));
      const sigtermAt = Date.now();
      proc.child.kill('SIGTERM');

      // During the drain: readiness 503 and normal requests served, on new connections (so on both workers).
      const duringDrain: Array<{ path: string; status: number }> = [];
      while (Date.now() < sigtermAt + DRAIN_MS - 300) {
        // Consecutive connections alternate between the workers: readiness twice reaches both.
        for (const path of ['/health/ready', '/health/ready', '/v1/products']) {
          const res = await getOnNewConnection(`${base}${path}`, { authorization: `Bearer ${token}` });
          duringDrain.push({ path, status: res.status });
        }
      }
      expect(await Promise.all(inFlight)).toEqual([200, 200, 200, 200]);
      const exit = await proc.exited;

      const logs = `\n--- stdout ---\n${proc.stdout().slice(-4000)}\n--- stderr ---\n${proc.stderr().slice(-2000)}`;
      const products = duringDrain.filter((r) => r.path === '/v1/products').map((r) => r.status);
      const readiness = duringDrain.filter((r) => r.path === '/health/ready').map((r) => r.status);
      expect(products.length).toBeGreaterThan(0);
      expect(products, logs).toEqual(products.map(() => 200));
      expect(readiness, logs).toContain(503);
      expect(exit, logs).toEqual({ code: 0, signal: null });

      const lines = jsonLogLines(proc);
      // Each worker drained, and from then on answered readiness 503 and nothing else.
      for (const { pid } of workers) {
        const drainedAt = lines.find(
          (l) => l.pid === pid && l.context === 'GracefulShutdown' && /draining for/.test(String(l.msg)),
        )?.time as number | undefined;
        expect(drainedAt, `worker ${pid} never drained${logs}`).toBeDefined();
        const ready = lines
          // Requests that arrived after the drain began (the log line is written when the answer is).
          .filter(
            (l) =>
              l.pid === pid &&
              l.route === '/health/ready' &&
              (l.time as number) - (l.durationMs as number) > drainedAt!,
          )
          .map((l) => (l.res as { statusCode?: number }).statusCode);
        expect(ready.length, `worker ${pid} answered no readiness probe while draining`).toBeGreaterThan(0);
        expect(ready).toEqual(ready.map(() => 503));
      }
      expect(lines.at(-1)).toMatchObject({ context: 'ClusterPrimary', msg: 'every worker exited cleanly; exiting 0' });
      for (const { pid } of workers) expect(processAlive(pid), `worker pid ${pid} still exists`).toBe(false);
    });
  },
);
