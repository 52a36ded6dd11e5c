import { describe, expect, it } from 'vitest';
import {
  CACHE_INVALIDATES,
  CACHE_POLICY,
  CacheFor,
  type CachePolicy,
  InvalidatesCache,
  MAX_CACHE_TTL_SECONDS,
} from './cache-policy';

/** The policy `decorator` stores on a method it decorates. */
function policyOf(decorator: MethodDecorator): CachePolicy | undefined {
  class Controller {
    handler(): void {}
  }
  const descriptor = Object.getOwnPropertyDescriptor(Controller.prototype, 'handler')!;
  decorator(Controller.prototype, 'handler', descriptor);
  return Reflect.getMetadata(CACHE_POLICY, descriptor.value as object) as CachePolicy | undefined;
}

describe('@CacheFor', () => {
  it('the TTL bounds are 1 s and one hour', () => {
    expect(MAX_CACHE_TTL_SECONDS).toBe(3_600);
    expect(policyOf(CacheFor(1))?.ttlSeconds).toBe(1);
    expect(policyOf(CacheFor(MAX_CACHE_TTL_SECONDS))?.ttlSeconds).toBe(3_600);
  });

  it.each([
    ['0', 0],
    ['-5 (negative)', -5],
    ['3601 (above one hour)', MAX_CACHE_TTL_SECONDS + 1],
    ['1.5 (not an integer)', 1.5],
    ['0.5 (not an integer, below one)', 0.5],
    ['NaN', Number.NaN],
    ['Infinity', Number.POSITIVE_INFINITY],
  ])('rejects ttlSeconds %s when the decorator is created (at class definition), naming it', (_label, ttl) => {
    expect(() => CacheFor(ttl)).toThrow(/@CacheFor: ttlSeconds must be an integer from 1 to 3600, got /);
    expect(() => CacheFor(ttl)).toThrow(String(ttl));
  });

  it('defaults: scope "caller" (never shared unless asked) and no tags', () => {
    expect(policyOf(CacheFor(30))).toEqual({ ttlSeconds: 30, tags: [], scope: 'caller' });
    expect(policyOf(CacheFor(30, { tags: ['orders'] }))).toEqual({ ttlSeconds: 30, tags: ['orders'], scope: 'caller' });
  });

  it('keeps the given tags and scope', () => {
    expect(policyOf(CacheFor(30, { tags: ['products', 'prices'], scope: 'shared' }))).toEqual({
      ttlSeconds: 30,
      tags: ['products', 'prices'],
      scope: 'shared',
    });
    expect(policyOf(CacheFor(10, { scope: 'caller' }))?.scope).toBe('caller');
  });
});

describe('@InvalidatesCache', () => {
  it('stores its tags on the handler', () => {
    class Controller {
      write(): void {}
    }
    const descriptor = Object.getOwnPropertyDescriptor(Controller.prototype, 'write')!;
    InvalidatesCache('orders', 'products')(Controller.prototype, 'write', descriptor);
    expect(Reflect.getMetadata(CACHE_INVALIDATES, descriptor.value as object)).toEqual(['orders', 'products']);
  });
});
