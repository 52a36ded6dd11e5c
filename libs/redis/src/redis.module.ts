import { Global, Module, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { Metrics } from '@app/core';
import { RedisConnection } from './redis.connection';

/**
 * The shared Redis connection (REDIS_URL), for the cache and the rate limits. Without REDIS_URL it is a
 * connection that is never available, and its users run on their in-process fallbacks. It opens at init
 * (bounded by REDIS_CONNECT_TIMEOUT_MS, never failing the boot) and closes in `onApplicationShutdown`,
 * after the HTTP server has drained.
 */
@Global()
@Module({ providers: [RedisConnection], exports: [RedisConnection] })
export class RedisModule implements OnModuleInit, OnApplicationShutdown {
  constructor(
    private readonly redis: RedisConnection,
    private readonly metrics: Metrics,
  ) {}

  async onModuleInit(): Promise<void> {
    if (!this.redis.configured) return;
    this.metrics.gauge(
      'redis_up',
      '1 while Redis is usable (connected, no command timed out in the last second), else 0',
      [],
      (set) => set({}, this.redis.state === 'ready' ? 1 : 0),
    );
    await this.redis.connect();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.redis.close();
  }
}
