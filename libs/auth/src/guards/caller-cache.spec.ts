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
