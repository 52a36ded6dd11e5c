export { CacheModule } from './cache.module';
export {
  CacheFor,
  InvalidatesCache,
  MAX_CACHE_TTL_SECONDS,
  resolveTags,
  type CachePolicy,
  type CacheScope,
  type CacheTag,
  type CacheTagContext,
} from './cache-policy';
export { ResponseCache, type CacheLookup } from './response-cache';
