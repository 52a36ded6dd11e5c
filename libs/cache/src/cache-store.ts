import { createKeyv as createMemoryKeyv } from '@cacheable/memory';
import KeyvRedis from '@keyv/redis';
import { Injectable } from '@nestjs/common';
import { type Cache, createCache } from 'cache-manager';
import { Keyv } from 'keyv';
import { AppConfig } from '@app/core';
import { RedisConnection } from '@app/redis';

/**
 * The cache-manager instance and its one Keyv store: Redis through the app's shared connection when
 * REDIS_URL is set (one cache for every replica), else an in-process LRU of CACHE_MEMORY_MAX_ENTRIES.
 * Store errors never escape: cache-manager turns them into misses and RedisConnection bounds their time.
 */
@Injectable()
export class CacheStore {
  readonly cache: Cache;

  constructor(config: AppConfig, redis: RedisConnection) {
    const keyv =
      redis.client === undefined
        ? // Values are strings (immutable): no clone on every read. One shard: spreading keys over several Maps
          // hashes every key on every call (3% of a cached read's CPU on the embedded default) and saves nothing
          // at CACHE_MEMORY_MAX_ENTRIES entries.
          createMemoryKeyv({ lruSize: config.cache.memoryMaxEntries, useClone: false, storeHashSize: 1 })
        : // Keys are already namespaced by REDIS_KEY_PREFIX; the adapter must not reconnect or own the client.
          new Keyv({
            store: new KeyvRedis(redis.client, { throwOnConnectError: false }),
            useKeyPrefix: false,
            namespace: undefined,
          });
    // Keyv reports store failures as 'error' events; the outcome (a miss) is handled where it is used.
    keyv.on('error', () => undefined);
    this.cache = createCache({ stores: [keyv] });
  }
}
