import 'reflect-metadata';
import { existsSync } from 'node:fs';
import { type AppConfig, ConfigValidationError, loadConfig } from '@app/core';
import { isClusterWorker } from './cluster/cluster-role';
import { runPrimary } from './cluster/primary';
import { runWorker } from './cluster/worker';
import { createApp } from './create-app';

/** The validated configuration; a bad one ends the process with its one-line message (once: before any fork). */
function configOrExit(): AppConfig {
  try {
    return loadConfig(process.env);
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

  // CLUSTER_WORKERS > 1: this process supervises that many workers, which serve the port together.
  if (isClusterWorker()) return runWorker(config);
  if (config.clusterWorkers > 1) return runPrimary(config);

  const app = await createApp(config);
  await app.listen({ port: config.http.port, host: config.http.host });
}

bootstrap().catch((error: unknown) => {
  process.stderr.write(`Startup failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
