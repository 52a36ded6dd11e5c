import { type BeforeApplicationShutdown, Injectable, Logger } from '@nestjs/common';
import { setTimeout as sleep } from 'node:timers/promises';
import { AppConfig } from '@app/core';
import { LifecycleState } from './lifecycle.state';

/**
 * Shutdown in Kubernetes order. Nest 12 runs `beforeApplicationShutdown`, then closes the HTTP server
 * (in-flight requests finish, idle keep-alive sockets are closed), then `onApplicationShutdown`
 * (database and cache close last). Here, on a signal: readiness turns 503 at once, normal traffic is
 * still served for SHUTDOWN_DRAIN_MS while endpoints update, and a watchdog bounds the rest by
 * SHUTDOWN_TIMEOUT_MS so nothing holds the process open.
 */
@Injectable()
export class GracefulShutdown implements BeforeApplicationShutdown {
  private readonly logger = new Logger('GracefulShutdown');

  constructor(
    private readonly lifecycle: LifecycleState,
    private readonly config: AppConfig,
  ) {}

  async beforeApplicationShutdown(signal?: string): Promise<void> {
    this.lifecycle.markShuttingDown();
    if (!signal) return; // app.close() from code (tests, scripts): no drain, no watchdog
    const { drainMs, timeoutMs } = this.config.shutdown;
    const watchdog = setTimeout(() => {
      this.logger.error(`shutdown did not finish within ${drainMs + timeoutMs} ms; exiting`);
      process.exit(1);
    }, drainMs + timeoutMs);
    watchdog.unref();
    this.logger.log(`${signal} received: not ready; draining for ${drainMs} ms`);
    if (drainMs > 0) await sleep(drainMs);
  }
}
