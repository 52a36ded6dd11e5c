import { describe, expect, it } from 'vitest';
import { MemoryRateLimitStorage } from './memory-rate-limit.storage';

describe('MemoryRateLimitStorage', () => {
  const clock = () => {
    const state = { now: 1_000_000 };
    return { state, storage: new MemoryRateLimitStorage(() => state.now) };
  };

  it('lets `limit` hits of a window through, blocks the next for blockDuration, then counts again', () => {
    const { state, storage } = clock();
    for (let i = 1; i <= 3; i++)
      expect(storage.increment('k', 60_000, 3, 10_000)).toMatchObject({ totalHits: i, isBlocked: false });
    expect(storage.increment('k', 60_000, 3, 10_000)).toMatchObject({
      totalHits: 4,
      isBlocked: true,
      timeToBlockExpire: 10,
    });
    state.now += 5_000;
    expect(storage.increment('k', 60_000, 3, 10_000)).toMatchObject({ isBlocked: true, timeToBlockExpire: 5 });
    state.now += 5_000;
    expect(storage.increment('k', 60_000, 3, 10_000)).toMatchObject({ totalHits: 1, isBlocked: false });
  });

  it('starts a new window when the old one has passed', () => {
    const { state, storage } = clock();
    storage.increment('k', 1_000, 5, 1_000);
    storage.increment('k', 1_000, 5, 1_000);
    state.now += 1_000;
    expect(storage.increment('k', 1_000, 5, 1_000)).toMatchObject({ totalHits: 1, timeToExpire: 1 });
  });

  it('keeps keys apart', () => {
    const { storage } = clock();
    storage.increment('a', 60_000, 1, 60_000);
    expect(storage.increment('a', 60_000, 1, 60_000).isBlocked).toBe(true);
    expect(storage.increment('b', 60_000, 1, 60_000).isBlocked).toBe(false);
  });

  it('costs the same however many hits the window holds (no per-hit state)', () => {
    const { storage } = clock();
    for (let i = 0; i < 200_000; i++) storage.increment('busy', 60_000, 1_000_000, 1_000);
    expect(storage.increment('busy', 60_000, 1_000_000, 1_000).totalHits).toBe(200_001);
  });
});
