import { type INestApplicationContext, Logger as NestLogger, type Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Logger } from 'nestjs-pino';
import type { AppConfig } from '@app/core';
import { JobRunner } from './consumers/job-runner';
import { ProbeServer } from './http/probe-server';
import type { WorkerJob } from './jobs/worker-job';
import { WorkerModule } from './worker.module';

export interface Worker {
  app: INestApplicationContext;
  /** The probe server's port (WORKER_PORT, or the one picked for port 0). */
  port: number;
  /**
   * Graceful stop: no more pulling, the jobs in progress finish (bounded by WORKER_SHUTDOWN_TIMEOUT_MS) and are
   * acked, then the probe server, NATS and the database close. Resolves true when nothing was cut short.
   */
  stop(): Promise<boolean>;
}

export interface CreateWorkerOptions {
  /** The jobs to run (default: production's). */
  jobs?: ReadonlyArray<Type<WorkerJob>>;
  /** The probe server's port (default WORKER_PORT; 0 picks a free one). */
  port?: number;
}

/** Builds and starts the worker exactly as production runs it; `main.ts` adds the signals, tests call `stop`. */
export async function createWorker(config: AppConfig, options: CreateWorkerOptions = {}): Promise<Worker> {
  const app = await NestFactory.createApplicationContext(WorkerModule.forRoot(config, options.jobs), {
    bufferLogs: true,
    abortOnError: false,
  });
  app.useLogger(app.get(Logger));
  app.flushLogs();
  await app.init();
  const probes = app.get(ProbeServer);
  const runner = app.get(JobRunner);
  const port = await probes.listen(options.port ?? config.worker.port);
  await runner.start();
  let stopping: Promise<boolean> | undefined;
  const stop = (): Promise<boolean> =>
    (stopping ??= (async () => {
      const logger = new NestLogger('Worker');
      const finished = await runner.stop(config.worker.shutdownTimeoutMs);
      if (!finished) logger.warn('Jobs still running after WORKER_SHUTDOWN_TIMEOUT_MS; JetStream will redeliver them');
      await probes.close();
      await app.close();
      return finished;
    })());
  return { app, port, stop };
}
