export { CacheModule } from './cache.module';
export { CacheFor, InvalidatesCache, MAX_CACHE_TTL_SECONDS, type CachePolicy, type CacheScope } from './cache-policy';
export { ResponseCache, type CacheLookup } from './response-cache';
