import { createHash, randomUUID } from 'node:crypto';
import { Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import type { Cache } from 'cache-manager';
import { RedisConnection, RedisUnavailableError } from '@app/redis';
import { CacheStore } from './cache-store';

/** Tag versions outlive every entry (entries live at most an hour), so a version never comes back. */
const TAG_TTL_MS = 24 * 60 * 60 * 1000;

/** How often invalidations that could not reach the store are retried. */
const RETRY_MS = 1_000;

/**
 * What a lookup found: a stored JSON body, nothing (with what {@link ResponseCache.store} needs to store the
 * answer), or a cache that could not answer.
 */
export type CacheLookup =
  { outcome: 'hit'; body: string } | { outcome: 'miss'; key: string; stamp: string } | { outcome: 'unavailable' };

/** Separates an entry's stamp (the versions of its tags) from its body; versions are UUIDs. */
const STAMP_END = '\n';

/**
 * Answers cached by key, with tag invalidation, on cache-manager over Keyv (Redis when REDIS_URL is set,
 * a bounded in-process LRU otherwise).
 *
 * Invalidation by versioned tags: each tag holds a random version, an entry is stamped with the versions of
 * its tags read *before* the answer was computed, and invalidating a tag gives it a new version. An entry is
 * served only while its stamp equals its tags' current versions, so an answer computed from data older than
 * a write is never served after it, whatever the interleaving across replicas (a late store of such an
 * answer costs a miss, nothing else); invalidation is one write per tag, with no key scans. A tag with no
 * version (new, or evicted) gets a fresh random one, never an old one. A lookup is one MGET of the tags and
 * the entry: a hit is one round trip.
 *
 * The cache is an optimisation and never a dependency: with Redis down, slow or frozen every operation
 * gives up within REDIS_COMMAND_TIMEOUT_MS and the caller computes the answer itself. An invalidation that
 * could not reach Redis is kept and retried every second until it lands (and at once on reconnection, and
 * before this process serves any cached answer again), so entries cached before an outage are never served after a write made
 * during it. Only a process that dies with invalidations pending leaves entries to expire by their TTL.
 */
@Injectable()
export class ResponseCache implements OnApplicationShutdown {
  private readonly logger = new Logger('ResponseCache');
  private readonly cache: Cache;
  /** Tags whose invalidation has not reached the store yet. */
  private readonly pending = new Set<string>();
  private retry: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(
    store: CacheStore,
    private readonly redis: RedisConnection,
  ) {
    this.cache = store.cache;
    redis.onReady(() => this.flushInBackground());
  }

  /** Finds the answer stored for `parts` under the current versions of `tags`. */
  async lookup(parts: readonly string[], tags: readonly string[]): Promise<CacheLookup> {
    if (!(await this.flush())) return { outcome: 'unavailable' };
    try {
      return await this.bounded(() => this.read(this.entryKey(parts), tags));
    } catch (error) {
      if (error instanceof RedisUnavailableError) return { outcome: 'unavailable' };
      throw error;
    }
  }

  /**
   * Stores an answer (its JSON) for the lookup that missed. Never fails: an answer not stored is only a future
   * miss.
   */
  async store(miss: { key: string; stamp: string }, body: string, ttlSeconds: number): Promise<void> {
    try {
      await this.bounded(() => this.cache.set(miss.key, `${miss.stamp}${STAMP_END}${body}`, ttlSeconds * 1000));
    } catch (error) {
      if (!(error instanceof RedisUnavailableError)) this.logger.warn(`store failed: ${String(error)}`);
    }
  }

  /**
   * Drops every answer tagged with one of `tags` by giving each a new version. Call it after the change
   * has committed. Never fails: when the store is unreachable the tags stay pending (see the class).
   */
  async invalidate(tags: readonly string[]): Promise<void> {
    for (const tag of tags) this.pending.add(tag);
    if (!(await this.flush())) {
      this.logger.warn(`invalidation of ${tags.join(', ')} pending until the cache store is back`);
    }
  }

  onApplicationShutdown(): void {
    this.closed = true;
    clearTimeout(this.retry);
  }

  /**
   * Sends the invalidations pending now (some may be on their way in a concurrent call too: sending a tag twice
   * only costs an extra miss). True when they landed; otherwise they stay pending and a retry is scheduled.
   */
  private async flush(): Promise<boolean> {
    if (this.pending.size === 0) return true;
    const tags = [...this.pending];
    try {
      await this.bounded(() =>
        this.cache.mset(tags.map((tag) => ({ key: this.tagKey(tag), value: randomUUID(), ttl: TAG_TTL_MS }))),
      );
    } catch (error) {
      if (!(error instanceof RedisUnavailableError)) throw error;
      // A concurrent call that landed may have taken them off the list meanwhile: they are still owed.
      for (const tag of tags) this.pending.add(tag);
      if (!this.closed) this.retry ??= setTimeout(() => this.flushInBackground(), RETRY_MS).unref();
      return false;
    }
    for (const tag of tags) this.pending.delete(tag);
    return true;
  }

  private flushInBackground(): void {
    clearTimeout(this.retry);
    this.retry = undefined;
    this.flush().catch((error: unknown) => this.logger.error(`pending invalidations failed: ${String(error)}`));
  }

  /** The tags' versions and the entry in one MGET; tags without a version get a fresh one (then it is a miss). */
  private async read(key: string, tags: readonly string[]): Promise<CacheLookup> {
    const found = await this.cache.mget<string>([...tags.map((tag) => this.tagKey(tag)), key]);
    const entry = found[tags.length];
    const missing = tags.flatMap((tag, index) =>
      typeof found[index] === 'string' ? [] : [{ index, key: this.tagKey(tag), value: randomUUID(), ttl: TAG_TTL_MS }],
    );
    if (missing.length > 0) {
      await this.cache.mset(missing);
      for (const { index, value } of missing) found[index] = value;
    }
    const stamp = found.slice(0, tags.length).join(',');
    if (missing.length === 0 && typeof entry === 'string') {
      const end = entry.indexOf(STAMP_END);
      if (end === stamp.length && entry.startsWith(stamp)) return { outcome: 'hit', body: entry.slice(end + 1) };
    }
    return { outcome: 'miss', key, stamp };
  }

  /** Where the answer for `parts` lives (whatever the versions: the entry's stamp says which it was computed for). */
  private entryKey(parts: readonly string[]): string {
    const digest = createHash('sha256').update(JSON.stringify(parts)).digest('base64url');
    return this.redis.key('cache', 'entry', digest);
  }

  private tagKey(tag: string): string {
    return this.redis.key('cache', 'tag', tag);
  }

  /** With Redis configured, every use is bounded and gated by the connection; in memory it is direct. */
  private bounded<T>(operation: () => Promise<T>): Promise<T> {
    return this.redis.configured ? this.redis.run('cache', operation) : operation();
  }
}
