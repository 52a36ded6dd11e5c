import { Injectable } from '@nestjs/common';
import { HealthIndicatorService, type HealthIndicatorResult } from '@nestjs/terminus';
import { RedisConnection } from '@app/redis';

/**
 * Redis, reported but never failing readiness: without it the app still serves (cache misses,
 * per-replica rate limits), so an outage marks the check `degraded` and the probe stays 200.
 * Nothing is reported when REDIS_URL is unset.
 */
@Injectable()
export class RedisHealthIndicator {
  constructor(
    private readonly indicator: HealthIndicatorService,
    private readonly redis: RedisConnection,
  ) {}

  get configured(): boolean {
    return this.redis.configured;
  }

  async check(key = 'redis'): Promise<HealthIndicatorResult> {
    const session = this.indicator.check(key);
    try {
      const latencyMs = await this.redis.ping();
      return session.up({ latencyMs });
    } catch (error) {
      return session.degraded({
        message: error instanceof Error ? error.message : 'unreachable',
        impact: 'cache bypassed; rate limits per replica',
      });
    }
  }
}
