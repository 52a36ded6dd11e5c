import { SetMetadata } from '@nestjs/common';

/**
 * Whose answer a cached GET is: `shared` when it is the same for every caller allowed to make the request
 * (authorization still runs first, in the guards), `caller` when it depends on who asks (the key then
 * includes the caller's id). Anonymous callers share the `anonymous` scope.
 */
export type CacheScope = 'shared' | 'caller';

/** What a tag may be computed from: the caller, the route parameters and, for a write, the answer's body. */
export interface CacheTagContext {
  principal: { id: string; role: string } | undefined;
  params: Readonly<Record<string, string | undefined>>;
  /** The body of a successful write's answer (undefined for reads). */
  body?: unknown;
}

/**
 * A fixed tag (`'products'`), or a function of the request that names the tags of just what an answer depends
 * on or what a write changed (`({ principal }) => \`orders:user:${principal?.id}\``): the finer the tags, the fewer
 * answers a write drops.
 */
export type CacheTag = string | ((context: CacheTagContext) => string | readonly string[] | undefined);

export interface CachePolicy {
  /** Seconds an answer may be served from the cache (1 s to 1 h). */
  ttlSeconds: number;
  /** Tags whose invalidation drops the answer (`@InvalidatesCache(...)` or `ResponseCache.invalidate`). */
  tags: readonly CacheTag[];
  scope: CacheScope;
}

/** The tags that `tags` name for this request (duplicates removed). */
export function resolveTags(tags: readonly CacheTag[], context: CacheTagContext): string[] {
  const resolved = new Set<string>();
  for (const tag of tags) {
    const named = typeof tag === 'string' ? tag : tag(context);
    if (typeof named === 'string') resolved.add(named);
    else if (named !== undefined) for (const one of named) resolved.add(one);
  }
  return [...resolved];
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
  options: { tags?: readonly CacheTag[]; scope?: CacheScope } = {},
): MethodDecorator {
  if (!Number.isInteger(ttlSeconds) || ttlSeconds < 1 || ttlSeconds > MAX_CACHE_TTL_SECONDS) {
    throw new Error(`@CacheFor: ttlSeconds must be an integer from 1 to ${MAX_CACHE_TTL_SECONDS}, got ${ttlSeconds}`);
  }
  const policy: CachePolicy = { ttlSeconds, tags: options.tags ?? [], scope: options.scope ?? 'caller' };
  return SetMetadata(CACHE_POLICY, policy);
}

/** After a successful (2xx) answer, drops every cached answer tagged with one of `tags`. */
export const InvalidatesCache = (...tags: CacheTag[]): MethodDecorator => SetMetadata(CACHE_INVALIDATES, tags);
