import { SetMetadata } from '@nestjs/common';

/**
 * Whose answer a cached GET is: `shared` when it is the same for every caller allowed to make the request
 * (authorization still runs first, in the guards), `caller` when it depends on who asks (the key then
 * includes the caller's id). Anonymous callers share the `anonymous` scope.
 */
export type CacheScope = 'shared' | 'caller';

export interface CachePolicy {
  /** Seconds an answer may be served from the cache (1 s to 1 h). */
  ttlSeconds: number;
  /** Tags whose invalidation drops the answer (`@InvalidatesCache(...)` or `ResponseCache.invalidate`). */
  tags: readonly string[];
  scope: CacheScope;
}

export const CACHE_POLICY = Symbol('cache-policy');
export const CACHE_INVALIDATES = Symbol('cache-invalidates');

export const MAX_CACHE_TTL_SECONDS = 3_600;

/**
 * Caches a GET route's 200 answers: `@CacheFor(30, { tags: ['products'], scope: 'shared' })`. Guards run
 * before the cache, so a cached answer is never served to a caller the route would refuse.
 */
export function CacheFor(
  ttlSeconds: number,
  options: { tags?: readonly string[]; scope?: CacheScope } = {},
): MethodDecorator {
  if (!Number.isInteger(ttlSeconds) || ttlSeconds < 1 || ttlSeconds > MAX_CACHE_TTL_SECONDS) {
    throw new Error(`@CacheFor: ttlSeconds must be an integer from 1 to ${MAX_CACHE_TTL_SECONDS}, got ${ttlSeconds}`);
  }
  const policy: CachePolicy = { ttlSeconds, tags: options.tags ?? [], scope: options.scope ?? 'caller' };
  return SetMetadata(CACHE_POLICY, policy);
}

/** After a successful (2xx) answer, drops every cached answer tagged with one of `tags`. */
export const InvalidatesCache = (...tags: string[]): MethodDecorator => SetMetadata(CACHE_INVALIDATES, tags);
