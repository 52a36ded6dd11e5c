import { type CallHandler, type ExecutionContext, Injectable, type NestInterceptor } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Counter } from 'prom-client';
import { concatMap, from, type Observable, of, switchMap, tap } from 'rxjs';
import type { AuthenticatedRequest } from '@app/auth';
import { applyEntityTag, isETagRoute, Metrics } from '@app/core';
import {
  CACHE_INVALIDATES,
  CACHE_POLICY,
  type CachePolicy,
  type CacheTag,
  type CacheTagContext,
  resolveTags,
} from './cache-policy';
import { ResponseCache } from './response-cache';

/** RFC 9211 Cache-Status, naming this cache. */
const CACHE_STATUS = 'cache-status';
const CACHE_NAME = 'nest-api';

type CallerRequest = FastifyRequest & AuthenticatedRequest;

const tagContext = (request: CallerRequest, body?: unknown): CacheTagContext => ({
  principal: request.principal,
  params: (request.params ?? {}) as Record<string, string | undefined>,
  body,
});

/**
 * The response cache, as a global interceptor driven by `@CacheFor` and `@InvalidatesCache` (routes
 * without them pass straight through). Global interceptors run after the guards, so authentication, roles
 * and rate limits apply to cached answers as to any other. Only GET answers with status 200 are stored.
 * On a hit, a `@WithETag` route still gets its ETag and its 304 for a matching If-None-Match.
 */
@Injectable()
export class ResponseCacheInterceptor implements NestInterceptor {
  private readonly hits: Counter<'route'>;
  private readonly misses: Counter<'route'>;

  constructor(
    private readonly reflector: Reflector,
    private readonly cache: ResponseCache,
    metrics: Metrics,
  ) {
    this.hits = metrics.counter('cache_hits_total', 'GET answers served from the response cache, by route template', [
      'route',
    ]);
    this.misses = metrics.counter(
      'cache_misses_total',
      'GET answers computed because the response cache had none (or was unavailable), by route template',
      ['route'],
    );
  }

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const targets = [context.getHandler(), context.getClass()];
    const policy = this.reflector.getAllAndOverride<CachePolicy | undefined>(CACHE_POLICY, targets);
    const invalidates = this.reflector.getAllAndOverride<CacheTag[] | undefined>(CACHE_INVALIDATES, targets) ?? [];
    const http = context.switchToHttp();
    const request = http.getRequest<CallerRequest>();
    const reply = http.getResponse<FastifyReply>();

    if (policy !== undefined && request.method === 'GET') return this.cached(context, policy, request, reply, next);
    if (invalidates.length === 0) return next.handle();
    return next.handle().pipe(
      concatMap(async (body: unknown) => {
        // Awaited before the answer leaves, so the caller's next read already misses the old entries.
        if (reply.statusCode < 300) await this.cache.invalidate(resolveTags(invalidates, tagContext(request, body)));
        return body;
      }),
    );
  }

  private cached(
    context: ExecutionContext,
    policy: CachePolicy,
    request: CallerRequest,
    reply: FastifyReply,
    next: CallHandler,
  ): Observable<unknown> {
    const route = request.routeOptions.url ?? 'unmatched';
    const scope = policy.scope === 'shared' ? 'shared' : `caller:${request.principal?.id ?? 'anonymous'}`;
    return from(this.cache.lookup([scope, request.url], resolveTags(policy.tags, tagContext(request)))).pipe(
      switchMap((lookup) => {
        if (lookup.outcome === 'hit') {
          this.hits.inc({ route });
          void reply.header(CACHE_STATUS, `${CACHE_NAME}; hit`);
          const body: unknown = JSON.parse(lookup.body);
          return of(isETagRoute(context) ? applyEntityTag(request, reply, body) : body);
        }
        this.misses.inc({ route });
        const detail = lookup.outcome === 'unavailable' ? '; detail=unavailable' : '';
        void reply.header(CACHE_STATUS, `${CACHE_NAME}; fwd=miss${detail}`);
        return next.handle().pipe(
          tap((body: unknown) => {
            if (lookup.outcome !== 'miss' || reply.statusCode !== 200 || body === undefined) return;
            // Stored after the answer is on its way; a failed store is only a later miss.
            void this.cache.store(lookup, JSON.stringify(body), policy.ttlSeconds);
          }),
        );
      }),
    );
  }
}
