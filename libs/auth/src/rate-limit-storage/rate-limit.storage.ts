import { Injectable } from '@nestjs/common';
import type { ThrottlerStorage } from '@nestjs/throttler';
import { RedisConnection, RedisUnavailableError } from '@app/redis';
import { MemoryRateLimitStorage } from './memory-rate-limit.storage';
import { incrementInRedis, type ThrottlerStorageRecord } from './redis-rate-limit.script';

/**
 * Where rate-limit counters live: in Redis when REDIS_URL is set, so every replica counts against one limit;
 * in process memory otherwise, and whenever Redis is unavailable (down, suspended or slower than
 * REDIS_COMMAND_TIMEOUT_MS): limits then hold per replica instead of failing open or failing requests.
 */
@Injectable()
export class RateLimitStorage implements ThrottlerStorage {
  private readonly memory = new MemoryRateLimitStorage();

  constructor(private readonly redis: RedisConnection) {}

  async increment(
    key: string,
    ttl: number,
    limit: number,
    blockDuration: number,
    throttlerName: string,
  ): Promise<ThrottlerStorageRecord> {
    if (this.redis.configured) {
      // The hash tag keeps a key's counter and block in one slot, as a Redis Cluster requires of a script's keys.
      const redisKey = this.redis.key('rate-limit', throttlerName, `{${key}}`);
      try {
        return await this.redis.run('rate_limit', (client) =>
          incrementInRedis(client, redisKey, ttl, limit, blockDuration),
        );
      } catch (error) {
        if (!(error instanceof RedisUnavailableError)) throw error;
      }
    }
    return this.memory.increment(`${throttlerName}:${key}`, ttl, limit, blockDuration);
  }
}
