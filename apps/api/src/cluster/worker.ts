import { type AppConfig, Metrics } from '@app/core';
import { createApp } from '../create-app';
import { processChannel, WorkerMetrics } from './worker-metrics';

/**
 * Runs this process as a cluster worker: the app exactly as in a single process (its own shutdown hooks
 * drain and close it on the signal the primary forwards), except that GET /metrics answers for every worker.
 */
export async function runWorker(config: AppConfig): Promise<void> {
  const app = await createApp(config);
  const metrics = app.get(Metrics);
  const clusterMetrics = new WorkerMetrics(metrics.registry, processChannel());
  metrics.scrapeFrom(() => clusterMetrics.scrape());
  await app.listen({ port: config.http.port, host: config.http.host });
}
