import { describe, expect, it } from 'vitest';
import { loadConfig, Metrics } from '@app/core';
import { RedisConnection } from '@app/redis';
import { CacheStore } from './cache-store';
import { type CacheLookup, ResponseCache } from './response-cache';

/** The cache on its in-process store (the Redis store is exercised through the app in test/integration). */
function memoryCache(): ResponseCache {
  const config = loadConfig({ NODE_ENV: 'test' });
  const redis = new RedisConnection(config, new Metrics());
  return new ResponseCache(new CacheStore(config, redis), redis);
}

function expectMiss(lookup: CacheLookup): Extract<CacheLookup, { outcome: 'miss' }> {
  if (lookup.outcome !== 'miss') throw new Error(`expected a miss, got ${JSON.stringify(lookup)}`);
  return lookup;
}

describe('ResponseCache', () => {
  it('a stored answer is a hit for the same parts and tags, and only for them', async () => {
    const cache = memoryCache();
    const miss = expectMiss(await cache.lookup(['caller:a', '/v1/orders'], ['orders:user:a']));
    await cache.store(miss, '{"items":[]}', 60);
    expect(await cache.lookup(['caller:a', '/v1/orders'], ['orders:user:a'])).toEqual({
      outcome: 'hit',
      body: '{"items":[]}',
    });
    expect((await cache.lookup(['caller:b', '/v1/orders'], ['orders:user:a'])).outcome).toBe('miss');
    expect((await cache.lookup(['caller:a', '/v1/orders'], ['orders:user:a', 'orders'])).outcome).toBe('miss');
  });

  it('invalidating any of its tags drops the entry', async () => {
    const cache = memoryCache();
    const parts = ['shared', '/v1/products/1'];
    await cache.store(expectMiss(await cache.lookup(parts, ['product:1', 'products'])), '{"id":1}', 60);
    expect((await cache.lookup(parts, ['product:1', 'products'])).outcome).toBe('hit');
    await cache.invalidate(['products']);
    expect((await cache.lookup(parts, ['product:1', 'products'])).outcome).toBe('miss');
  });

  it('an answer computed before a write and stored after it is never served', async () => {
    const cache = memoryCache();
    const parts = ['shared', '/v1/products/1'];
    const before = expectMiss(await cache.lookup(parts, ['product:1']));
    await cache.invalidate(['product:1']); // the write commits while the old answer is being computed
    await cache.store(before, '{"stock":5}', 60);
    expect((await cache.lookup(parts, ['product:1'])).outcome).toBe('miss');

    // A fresh answer stored after that is served; a late store of the old one only costs a miss again.
    const fresh = expectMiss(await cache.lookup(parts, ['product:1']));
    await cache.store(fresh, '{"stock":4}', 60);
    expect(await cache.lookup(parts, ['product:1'])).toEqual({ outcome: 'hit', body: '{"stock":4}' });
    await cache.store(before, '{"stock":5}', 60);
    expect((await cache.lookup(parts, ['product:1'])).outcome).toBe('miss');
  });

  it('bodies containing newlines and commas come back unchanged; untagged answers work', async () => {
    const cache = memoryCache();
    const body = '{"text":"a,b\\nc\n,d"}';
    await cache.store(expectMiss(await cache.lookup(['p'], [])), body, 60);
    expect(await cache.lookup(['p'], [])).toEqual({ outcome: 'hit', body });
  });
});

describe('ResponseCache invalidation', () => {
  it('concurrent invalidations all land and warn about nothing', async () => {
    const cache = memoryCache();
    const warnings: string[] = [];
    (cache as unknown as { logger: { warn: (m: string) => void } }).logger = { warn: (m) => warnings.push(m) };
    const parts = ['shared', '/v1/products'];
    const tags = Array.from({ length: 20 }, (_, i) => `product:${i}`);
    await cache.store(expectMiss(await cache.lookup(parts, tags)), '[]', 60);
    expect((await cache.lookup(parts, tags)).outcome).toBe('hit');
    await Promise.all(tags.map((tag) => cache.invalidate([tag])));
    expect(warnings).toEqual([]);
    expect((await cache.lookup(parts, tags)).outcome).toBe('miss');
  });
});
