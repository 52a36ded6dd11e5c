import type { ThrottlerStorageRecord } from './redis-rate-limit.script';

interface Counter {
  hits: number;
  windowEndsAt: number;
  blockedUntil: number;
}

/** Keys held at once (clients × named limits); the least recently touched go first. */
const MAX_KEYS = 100_000;

const seconds = (ms: number): number => Math.max(0, Math.ceil(ms / 1000));

/**
 * Rate-limit counters in process memory, for the embedded default and whenever Redis is unavailable: the same
 * fixed-window-with-block semantics as the Redis script, in O(1) per hit. (@nestjs/throttler's own in-memory
 * storage keeps a timestamp per hit and filters them all on every request: its cost grows with traffic.)
 */
export class MemoryRateLimitStorage {
  private readonly counters = new Map<string, Counter>();

  constructor(private readonly now: () => number = Date.now) {}

  increment(key: string, ttl: number, limit: number, blockDuration: number): ThrottlerStorageRecord {
    const now = this.now();
    let counter = this.counters.get(key);
    if (counter === undefined || (counter.windowEndsAt <= now && counter.blockedUntil <= now)) {
      counter = { hits: 0, windowEndsAt: now + ttl, blockedUntil: 0 };
    }
    this.touch(key, counter);
    if (counter.blockedUntil > now) {
      const blockLeft = counter.blockedUntil - now;
      return {
        totalHits: limit + 1,
        timeToExpire: seconds(blockLeft),
        isBlocked: true,
        timeToBlockExpire: seconds(blockLeft),
      };
    }
    if (counter.windowEndsAt <= now) {
      counter.hits = 0;
      counter.windowEndsAt = now + ttl;
    }
    counter.hits++;
    const windowLeft = counter.windowEndsAt - now;
    if (counter.hits > limit) {
      const block = Math.max(1, blockDuration);
      const hits = counter.hits;
      counter.blockedUntil = now + block;
      counter.hits = 0;
      counter.windowEndsAt = now; // the count starts again once the block ends
      return { totalHits: hits, timeToExpire: seconds(windowLeft), isBlocked: true, timeToBlockExpire: seconds(block) };
    }
    return { totalHits: counter.hits, timeToExpire: seconds(windowLeft), isBlocked: false, timeToBlockExpire: 0 };
  }

  /** Re-inserts the key as the most recently used, evicting the least recently used beyond the cap. */
  private touch(key: string, counter: Counter): void {
    this.counters.delete(key);
    if (this.counters.size >= MAX_KEYS) {
      const oldest = this.counters.keys().next().value;
      if (oldest !== undefined) this.counters.delete(oldest);
    }
    this.counters.set(key, counter);
  }
}
