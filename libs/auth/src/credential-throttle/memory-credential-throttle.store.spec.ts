import { describe, expect, it } from 'vitest';
import { loadConfig } from '@app/core';
import { BoundedMap } from './bounded-map';
import { MemoryCredentialThrottleStore } from './memory-credential-throttle.store';
import { throttlePolicy } from './throttle-policy';

const policy = throttlePolicy(loadConfig({ NODE_ENV: 'test' }).credentialThrottle);

/** Fails `account` until it must wait (10 failures with the defaults). */
async function exhaust(store: MemoryCredentialThrottleStore, account: string, now: number): Promise<void> {
  for (let i = 0; i < policy.failuresBeforeDelay; i++) {
    expect((await store.startAttempt(account, '192.0.2.1', true, now)).allowed).toBe(true);
    await store.recordFailure(account, now);
  }
}

describe('BoundedMap', () => {
  it('keeps the most recently written entries, evicting the oldest', () => {
    const map = new BoundedMap<string, number>(3);
    for (const [index, key] of ['a', 'b', 'c', 'd'].entries()) map.set(key, index);
    expect(map.size).toBe(3);
    expect(map.get('a')).toBeUndefined();
    map.set('b', 10); // rewritten: now the newest
    map.set('e', 4);
    expect([map.get('b'), map.get('c'), map.get('d'), map.get('e')]).toEqual([10, undefined, 3, 4]);
  });

  it('refuses a bound that is not a positive integer', () => {
    expect(() => new BoundedMap(0)).toThrow(RangeError);
    expect(() => new BoundedMap(1.5)).toThrow(RangeError);
  });
});

describe('MemoryCredentialThrottleStore', () => {
  it('holds at most maxAccounts accounts: a flood of accounts forgets the oldest, never grows', async () => {
    const store = new MemoryCredentialThrottleStore(policy, { maxAccounts: 100, maxTrustedAccounts: 10 });
    await exhaust(store, 'victim', 0);
    expect((await store.startAttempt('victim', '192.0.2.1', true, 0)).allowed).toBe(false);
    for (let i = 0; i < 1_000; i++) await store.recordFailure(`spray-${i}`, 0);
    expect(store.size.accounts).toBe(100);
    // The price of the bound: the victim's failures were evicted (Redis, when configured, has no such bound).
    expect((await store.startAttempt('victim', '192.0.2.1', true, 0)).allowed).toBe(true);
  });

  it('keeps trusted sources apart: a flood of failures never evicts them, and they are bounded too', async () => {
    const store = new MemoryCredentialThrottleStore(policy, { maxAccounts: 10, maxTrustedAccounts: 5 });
    await store.recordSuccess('user', '198.51.100.7', 0);
    for (let i = 0; i < 1_000; i++) await store.recordFailure(`spray-${i}`, 1);
    await exhaust(store, 'user', 2);
    expect((await store.startAttempt('user', '198.51.100.7', true, 2)).allowed).toBe(true); // still trusted
    expect((await store.startAttempt('user', '203.0.113.9', true, 2)).allowed).toBe(false);

    for (let i = 0; i < 50; i++) await store.recordSuccess(`other-${i}`, '192.0.2.50', 3);
    expect(store.size.trustedAccounts).toBe(5);
  });

  it('does not trust an unknown source', async () => {
    const store = new MemoryCredentialThrottleStore(policy);
    await store.recordSuccess('user', undefined, 0);
    expect(store.size.trustedAccounts).toBe(0);
  });
});
