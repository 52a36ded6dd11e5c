import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postgresTier, type TestDatabase } from '../support/databases';
import { createTestRedis, redisSkipReason, type TestRedis, unreachableRedisEnv } from '../support/redis';
import {
  eventually,
  freePort,
  getOnNewConnection,
  jsonLogLines,
  listeningWorkers,
  processAlive,
  type RunningProcess,
  startBuiltApi,
  waitForStatus,
} from '../support/processes';

/**
 * Cluster mode (CLUSTER_WORKERS > 1) when workers die, freeze or never boot, with the built app as real processes.
 * The primary replaces a crashed worker, gives up on workers that die at boot, answers /metrics with a 503
 * problem when a worker cannot send its series, and kills workers that outlast the shutdown bound.
 */

const SHUTDOWN_TIMEOUT_MS = 500;
/** SHUTDOWN_DRAIN_MS (0) + SHUTDOWN_TIMEOUT_MS + the primary's margin (SHUTDOWN_MARGIN_MS). */
const SHUTDOWN_BOUND_MS = SHUTDOWN_TIMEOUT_MS + 2_000;

/** Every worker pid the primary has named in its log lines ("worker 3 (pid 1234) …"). */
const namedWorkerPids = (proc: RunningProcess): number[] => [
  ...new Set([...proc.stdout().matchAll(/worker \d+ \(pid (\d+)\)/g)].map((m) => Number(m[1]))),
];

const primaryMessages = (proc: RunningProcess): string[] =>
  jsonLogLines(proc)
    .filter((line) => line.context === 'ClusterPrimary')
    .map((line) => String(line.msg));

describe('workers that die at boot: the primary gives up', () => {
  it('exits 1 with the reason after three workers in a row died before listening, leaving no worker behind', async () => {
    // Nothing listens on this port: each worker fails to migrate at once and exits 1.
    const { proc } = await startBuiltApi({
      CLUSTER_WORKERS: '2',
      DATABASE_URL: `postgres://postgres@127.0.0.1:${await freePort()}/nothing`,
      ...(await unreachableRedisEnv()),
      LOG_LEVEL: 'info',
    });
    const exit = await proc.exited;
    const logs = `\n--- stdout ---\n${proc.stdout().slice(-4000)}\n--- stderr ---\n${proc.stderr().slice(-2000)}`;
    expect(exit, logs).toEqual({ code: 1, signal: null });

    const messages = primaryMessages(proc);
    expect(
      messages.filter((m) => / exited unexpectedly before listening /.test(m)),
      logs,
    ).toHaveLength(3);
    expect(messages, logs).toContain(
      'giving up: 3 workers in a row exited before listening (see their errors above); stopping the cluster',
    );
    expect(messages.at(-1)).toMatch(/^exiting 1: giving up: 3 workers in a row exited before listening/);
    expect(messages.filter((m) => / listening$/.test(m))).toEqual([]);
    // Each worker said why on stderr.
    expect(proc.stderr()).toMatch(/Startup failed: .*ECONNREFUSED/);
    for (const pid of namedWorkerPids(proc)) expect(processAlive(pid), `worker pid ${pid} still exists`).toBe(false);
  });
});

const runningSkipReason = postgresTier.skipReason ?? redisSkipReason;
describe.skipIf(runningSkipReason !== undefined)(
  `a running cluster whose workers crash or freeze (PostgreSQL, Redis)${runningSkipReason ? ` (skipped: ${runningSkipReason})` : ''}`,
  () => {
    let db: TestDatabase;
    let redis: TestRedis;
    let proc: RunningProcess;
    let base: string;
    const frozen = new Set<number>();

    beforeAll(async () => {
      db = await postgresTier.create();
      redis = createTestRedis();
      ({ proc, base } = await startBuiltApi({
        ...db.env,
        ...redis.env,
        CLUSTER_WORKERS: '2',
        LOG_LEVEL: 'info',
        SHUTDOWN_DRAIN_MS: '0',
        SHUTDOWN_TIMEOUT_MS: String(SHUTDOWN_TIMEOUT_MS),
      }));
      await eventually('two workers listening', () => (listeningWorkers(proc).length >= 2 ? true : undefined), 30_000);
      await waitForStatus(`${base}/health/ready`, 200);
    });

    afterAll(async () => {
      for (const pid of frozen) if (processAlive(pid)) process.kill(pid, 'SIGCONT');
      if (proc && proc.child.exitCode === null && proc.child.signalCode === null) {
        proc.child.kill('SIGKILL');
        await proc.exited;
      }
      for (const pid of proc ? namedWorkerPids(proc) : []) if (processAlive(pid)) process.kill(pid, 'SIGKILL');
      await db?.cleanup();
      await redis?.cleanup();
    });

    it('a worker killed with SIGKILL is replaced, and the other one serves meanwhile', async () => {
      const [victim, survivor] = listeningWorkers(proc);
      process.kill(victim.pid, 'SIGKILL');
      await eventually('the primary saw the crash', () =>
        primaryMessages(proc).some((m) =>
          m.startsWith(`worker ${victim.worker} (pid ${victim.pid}) exited unexpectedly`),
        )
          ? true
          : undefined,
      );
      // Until the replacement listens, every new connection goes to the survivor.
      for (let i = 0; i < 5; i++) expect((await getOnNewConnection(`${base}/health/live`)).status).toBe(200);

      const replacement = await eventually('a replacement listening', () => listeningWorkers(proc)[2]);
      expect([victim.pid, survivor.pid, proc.child.pid]).not.toContain(replacement.pid);
      for (let i = 0; i < 6; i++) {
        const res = await getOnNewConnection(`${base}/v1/after-crash`, { 'x-request-id': `after-crash-${i}` });
        expect(res.status).toBe(404);
      }
      const pids = await eventually('6 request log lines', () => {
        const lines = jsonLogLines(proc).filter((l) => String(l.requestId).startsWith('after-crash-'));
        return lines.length === 6 ? new Set(lines.map((l) => l.pid)) : undefined;
      });
      expect([...pids].sort()).toEqual([survivor.pid, replacement.pid].sort());

      const metrics = (await getOnNewConnection(`${base}/metrics`)).body;
      expect(metrics).toMatch(/^cluster_workers 2$/m);
      expect(metrics).toMatch(/^cluster_worker_restarts_total 1$/m);
    });

    it('a frozen worker: /metrics answers 503 problem+json naming it', async () => {
      const [, stuck] = listeningWorkers(proc).slice(-2);
      process.kill(stuck.pid, 'SIGSTOP');
      frozen.add(stuck.pid);
      // The frozen worker takes at most one new connection (never answered); the other worker answers the rest.
      const res = await Promise.any([0, 1].map(() => getOnNewConnection(`${base}/metrics`, {}, 6_000)));
      expect(res.status).toBe(503);
      expect(JSON.parse(res.body)).toMatchObject({
        type: 'https://errors.example.dev/service-unavailable',
        status: 503,
        detail: `The metrics of every worker could not be gathered: worker ${stuck.worker} (pid ${stuck.pid}) did not send metrics within 3000 ms`,
      });
    });

    it('SIGTERM with a frozen worker: the primary kills it once the bound has passed, and exits 1', async () => {
      const [frozenPid] = frozen;
      const sigtermAt = Date.now();
      proc.child.kill('SIGTERM');
      const exit = await proc.exited;
      const logs = `\n--- stdout ---\n${proc.stdout().slice(-4000)}\n--- stderr ---\n${proc.stderr().slice(-2000)}`;
      expect(exit, logs).toEqual({ code: 1, signal: null });
      expect(Date.now() - sigtermAt).toBeGreaterThanOrEqual(SHUTDOWN_BOUND_MS - 50);

      const messages = primaryMessages(proc);
      const stuck = messages.find((m) => m.includes(`(pid ${frozenPid}) still running`));
      expect(stuck, logs).toMatch(new RegExp(`still running ${SHUTDOWN_BOUND_MS} ms after SIGTERM: killed$`));
      // The other worker drained and exited cleanly.
      expect(
        messages.filter((m) => / exited \(code 0\)$/.test(m)),
        logs,
      ).toHaveLength(1);
      expect(messages.at(-1), logs).toMatch(/^exiting 1: .*still running/);
      for (const pid of namedWorkerPids(proc)) expect(processAlive(pid), `worker pid ${pid} still exists`).toBe(false);
    });
  },
);
