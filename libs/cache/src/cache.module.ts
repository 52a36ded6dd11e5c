import { Global, Module } from '@nestjs/common';
import { APP_INTERCEPTOR } from '@nestjs/core';
import { CacheStore } from './cache-store';
import { ResponseCache } from './response-cache';
import { ResponseCacheInterceptor } from './response-cache.interceptor';

/**
 * The response cache for the whole app: `@CacheFor(...)` on GET routes, `@InvalidatesCache(...)` on the
 * writes that change what they return, `ResponseCache.invalidate(...)` for invalidation from code.
 * Needs RedisModule (for REDIS_URL) and CoreModule.
 */
@Global()
@Module({
  providers: [CacheStore, ResponseCache, { provide: APP_INTERCEPTOR, useClass: ResponseCacheInterceptor }],
  exports: [ResponseCache],
})
export class CacheModule {}
