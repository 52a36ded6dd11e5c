import { describe, expect, it } from 'vitest';
import type { PrincipalRecord } from '../principal';
import { CALLER_CACHE_TTL_MS, CallerCache } from './caller-cache';

class ClockedCallerCache extends CallerCache {
  at = 0;
  protected override now = (): number => this.at;
}

const account: PrincipalRecord = { id: 'u1', role: 'user', disabled: false, sessionVersion: 1 };

describe('CallerCache', () => {
  it('answers from memory for less than the TTL, then asks again', () => {
    const cache = new ClockedCallerCache();
    cache.rememberAccount(account);
    cache.rememberSession('u1', 's1', true);
    expect(cache.account('u1')).toEqual(account);
    expect(cache.sessionActive('u1', 's1')).toBe(true);
    expect(cache.sessionActive('u1', 's2')).toBeUndefined();
    cache.at += CALLER_CACHE_TTL_MS;
    expect(cache.sessionActive('u1', 's1')).toBeUndefined();
    expect(cache.account('u1')).toBeUndefined();
  });

  it('forgets an account and its sessions at once', () => {
    const cache = new ClockedCallerCache();
    cache.rememberAccount(account);
    cache.rememberSession('u1', 's1', true);
    cache.forget('u1');
    expect(cache.account('u1')).toBeUndefined();
    expect(cache.sessionActive('u1', 's1')).toBeUndefined();
  });

  it('remembers sessions only of a cached account', () => {
    const cache = new ClockedCallerCache();
    cache.rememberSession('u1', 's1', true);
    expect(cache.sessionActive('u1', 's1')).toBeUndefined();
  });
});

describe('CallerCache lookups', () => {
  /** A lookup the test resolves by hand, counting how often it was started. */
  function deferredLookup<T>() {
    const calls: Array<(value: T) => void> = [];
    return {
      calls,
      load: () => new Promise<T>((resolve) => calls.push(resolve)),
    };
  }

  it('concurrent callers share one lookup, and its answer is remembered', async () => {
    const cache = new ClockedCallerCache();
    const lookup = deferredLookup<PrincipalRecord | undefined>();
    const answers = Promise.all(Array.from({ length: 20 }, () => cache.loadAccount('u1', lookup.load)));
    expect(lookup.calls).toHaveLength(1);
    lookup.calls[0]?.(account);
    expect(await answers).toEqual(Array.from({ length: 20 }, () => account));
    expect(await cache.loadAccount('u1', lookup.load)).toEqual(account);
    expect(lookup.calls).toHaveLength(1);

    const session = deferredLookup<boolean>();
    const active = Promise.all([
      cache.loadSession('u1', 's1', session.load),
      cache.loadSession('u1', 's1', session.load),
    ]);
    expect(session.calls).toHaveLength(1);
    session.calls[0]?.(true);
    expect(await active).toEqual([true, true]);
    expect(cache.sessionActive('u1', 's1')).toBe(true);
  });

  it('a lookup under way when the account changes is neither joined nor remembered', async () => {
    const cache = new ClockedCallerCache();
    const lookup = deferredLookup<PrincipalRecord | undefined>();
    const before = cache.loadAccount('u1', lookup.load);
    cache.forget('u1'); // e.g. the account was disabled and the change committed
    const after = cache.loadAccount('u1', lookup.load);
    expect(lookup.calls).toHaveLength(2);
    lookup.calls[0]?.(account);
    lookup.calls[1]?.({ ...account, disabled: true });
    expect(await before).toEqual(account);
    expect(await after).toEqual({ ...account, disabled: true });
    expect(cache.account('u1')).toEqual({ ...account, disabled: true });

    const session = deferredLookup<boolean>();
    const stale = cache.loadSession('u1', 's1', session.load);
    cache.forget('u1');
    session.calls[0]?.(true);
    expect(await stale).toBe(true);
    expect(cache.sessionActive('u1', 's1')).toBeUndefined();
  });
});
