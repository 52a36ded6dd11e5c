import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { ProblemException } from '@app/core';
import { isCollectResponse, isScrapeRequest } from './metrics-messages';
import { ClusterMetricsAggregator, type WorkerEndpoint } from './primary-metrics';
import { type PrimaryChannel, WorkerMetrics } from './worker-metrics';

/**
 * The metrics protocol end to end, in one process: workers and primary wired by fake channels that deliver
 * asynchronously and copy messages the way `serialization: 'advanced'` does. The real processes are exercised
 * in test/e2e/cluster.e2e.spec.ts and test/fault/cluster.fault.spec.ts.
 */

/** The timeout of the tests that wait for it to pass (a frozen worker, a silent primary). */
const TIMEOUT_MS = 250;
/** The timeout of the tests in which nothing may time out: far above any delay a loaded CI machine adds. */
const GENEROUS_TIMEOUT_MS = 10_000;

function workerRegistry(requests: number, connections: number, seconds: number[]): Registry {
  const registry = new Registry();
  new Counter({ name: 'http_requests_total', help: 'requests', labelNames: ['route'], registers: [registry] }).inc(
    { route: '/a' },
    requests,
  );
  new Gauge({ name: 'db_pool_connections', help: 'connections', registers: [registry] }).set(connections);
  const histogram = new Histogram({
    name: 'duration_seconds',
    help: 'duration',
    buckets: [0.1, 1],
    registers: [registry],
  });
  for (const value of seconds) histogram.observe(value);
  return registry;
}

interface FakeWorker {
  id: number;
  endpoint: WorkerEndpoint;
  metrics: WorkerMetrics;
  /** Stops delivering the primary's messages to this worker (a frozen process). */
  frozen: boolean;
}

function fakeCluster(registries: Registry[], options: { primarySilent?: boolean; timeoutMs?: number } = {}) {
  const timeoutMs = options.timeoutMs ?? GENEROUS_TIMEOUT_MS;
  const own = new Registry();
  new Gauge({ name: 'cluster_workers', help: 'serving', registers: [own] }).set(registries.length);
  const aggregator = new ClusterMetricsAggregator(own, timeoutMs);
  const workers: FakeWorker[] = [];
  const later = (deliver: () => void): void => void setTimeout(deliver, 1);

  const primaryReceives = (from: FakeWorker, message: unknown): void => {
    if (options.primarySilent) return;
    if (isScrapeRequest(message)) {
      void aggregator.answer(
        from.endpoint,
        message,
        workers.map((w) => w.endpoint),
      );
    } else if (isCollectResponse(message)) aggregator.received(from.id, message);
  };

  registries.forEach((registry, index) => {
    let deliver: (message: unknown) => void = () => undefined;
    const channel: PrimaryChannel = {
      send: async (message) => later(() => primaryReceives(worker, structuredClone(message))),
      onMessage: (listener) => (deliver = listener),
    };
    const worker: FakeWorker = {
      id: index + 1,
      frozen: false,
      endpoint: {
        id: index + 1,
        pid: 1000 + index,
        send: async (message) => later(() => worker.frozen || deliver(structuredClone(message))),
      },
      metrics: undefined as unknown as WorkerMetrics,
    };
    worker.metrics = new WorkerMetrics(registry, channel, timeoutMs * 2);
    workers.push(worker);
  });
  return { aggregator, workers };
}

const problemOf = async (promise: Promise<unknown>): Promise<ProblemException> => {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ProblemException);
  return error as ProblemException;
};

describe('cluster metrics over IPC', () => {
  it('whichever worker is asked answers with every worker summed, plus the primary series', async () => {
    const { workers } = fakeCluster([workerRegistry(3, 2, [0.05, 0.5]), workerRegistry(4, 5, [2])]);
    const [first, second] = await Promise.all(workers.map((w) => w.metrics.scrape()));
    expect(first).toBe(second);
    expect(first).toMatch(/^http_requests_total\{route="\/a"\} 7$/m);
    expect(first).toMatch(/^db_pool_connections 7$/m);
    expect(first).toMatch(/^duration_seconds_bucket\{le="0.1"\} 1$/m);
    expect(first).toMatch(/^duration_seconds_bucket\{le="1"\} 2$/m);
    expect(first).toMatch(/^duration_seconds_bucket\{le="\+Inf"\} 3$/m);
    expect(first).toMatch(/^duration_seconds_count 3$/m);
    expect(first).toMatch(/^cluster_workers 2$/m);
  });

  it('keeps concurrent scrapes apart', async () => {
    const { workers } = fakeCluster([workerRegistry(1, 0, []), workerRegistry(2, 0, [])]);
    const answers = await Promise.all(Array.from({ length: 10 }, (_, i) => workers[i % 2].metrics.scrape()));
    for (const answer of answers) expect(answer).toMatch(/^http_requests_total\{route="\/a"\} 3$/m);
  });

  it('answers 503 naming the worker that did not send its metrics in time, and recovers', async () => {
    const { workers } = fakeCluster([workerRegistry(1, 0, []), workerRegistry(2, 0, [])], { timeoutMs: TIMEOUT_MS });
    workers[1].frozen = true;
    const problem = await problemOf(workers[0].metrics.scrape());
    expect(problem.getStatus()).toBe(503);
    expect(problem.detail).toBe(
      `The metrics of every worker could not be gathered: worker 2 (pid 1001) did not send metrics within ${TIMEOUT_MS} ms`,
    );
    workers[1].frozen = false;
    expect(await workers[0].metrics.scrape()).toMatch(/^http_requests_total\{route="\/a"\} 3$/m);
  });

  it('leaves out a worker that exits while its metrics are awaited', async () => {
    const { aggregator, workers } = fakeCluster([workerRegistry(1, 0, []), workerRegistry(2, 0, [])]);
    workers[1].frozen = true;
    const scrape = workers[0].metrics.scrape();
    await new Promise((r) => setTimeout(r, 10));
    aggregator.workerGone(2);
    expect(await scrape).toMatch(/^http_requests_total\{route="\/a"\} 1$/m);
  });

  it('answers 503 when the primary does not answer, or cannot be reached', async () => {
    const silent = fakeCluster([workerRegistry(1, 0, [])], { primarySilent: true, timeoutMs: TIMEOUT_MS });
    const problem = await problemOf(silent.workers[0].metrics.scrape());
    expect(problem.detail).toBe(
      `The metrics of every worker could not be gathered: the cluster primary did not answer within ${TIMEOUT_MS * 2} ms`,
    );

    const unreachable = new WorkerMetrics(new Registry(), {
      send: () => Promise.reject(new Error('channel closed')),
      onMessage: () => undefined,
    });
    expect((await problemOf(unreachable.scrape())).detail).toBe(
      'The metrics of every worker could not be gathered: the cluster primary is unreachable (channel closed)',
    );
  });
});
