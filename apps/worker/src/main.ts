import 'reflect-metadata';
import { existsSync } from 'node:fs';
import { type AppConfig, ConfigValidationError, loadConfig } from '@app/core';
import { createWorker } from './create-worker';

/** The validated configuration; a bad one, or no NATS_URL, ends the process with a one-line message. */
function configOrExit(): AppConfig {
  try {
    const config = loadConfig(process.env);
    if (config.nats.url === undefined) {
      process.stderr.write('NATS_URL is required: the worker consumes the domain events from NATS JetStream\n');
      process.exit(1);
    }
    return config;
  } catch (error) {
    if (error instanceof ConfigValidationError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
}

async function bootstrap(): Promise<void> {
  // A local .env (see .env.example) fills in what the real environment does not set.
  if (existsSync('.env')) process.loadEnvFile('.env');
  const config = configOrExit();
  const worker = await createWorker(config);
  const shutdown = (): void => {
    // The bound on the jobs, plus a margin for closing NATS and the database; never hang past it.
    setTimeout(() => process.exit(1), config.worker.shutdownTimeoutMs + 5_000).unref();
    worker.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        process.stderr.write(`Shutdown failed: ${error instanceof Error ? error.message : String(error)}\n`);
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', shutdown);
  process.once('SIGINT', shutdown);
}

bootstrap().catch((error: unknown) => {
  process.stderr.write(`Startup failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
