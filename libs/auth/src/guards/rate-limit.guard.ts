import { type ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import {
  InjectThrottlerOptions,
  InjectThrottlerStorage,
  ThrottlerGuard,
  type ThrottlerLimitDetail,
  type ThrottlerModuleOptions,
  type ThrottlerStorage,
} from '@nestjs/throttler';
import type { FastifyRequest } from 'fastify';
import { Metrics, ProblemException } from '@app/core';
import type { AuthenticatedRequest } from '../decorators/current-user.decorator';

/**
 * @nestjs/throttler, keyed by the authenticated user when there is one and by the client IP otherwise
 * (Fastify's `request.ip`, which honours X-Forwarded-For only from TRUST_PROXY peers). Exceeding a
 * limit answers 429 problem+json with `Retry-After`.
 */
@Injectable()
export class RateLimitGuard extends ThrottlerGuard {
  constructor(
    @InjectThrottlerOptions() options: ThrottlerModuleOptions,
    @InjectThrottlerStorage() storage: ThrottlerStorage,
    reflector: Reflector,
    private readonly metrics: Metrics,
  ) {
    super(options, storage, reflector);
  }

  protected override async getTracker(request: Record<string, unknown>): Promise<string> {
    const principal = (request as AuthenticatedRequest).principal;
    return principal ? `user:${principal.id}` : `ip:${String(request.ip)}`;
  }

  protected override async throwThrottlingException(
    context: ExecutionContext,
    detail: ThrottlerLimitDetail,
  ): Promise<void> {
    const route = context.switchToHttp().getRequest<FastifyRequest>().routeOptions.url ?? 'unmatched';
    this.metrics.rateLimitRejections.inc({ route });
    const retryAfter = Math.max(1, Math.ceil(detail.isBlocked ? detail.timeToBlockExpire : detail.timeToExpire));
    throw new ProblemException({
      status: 429,
      type: 'https://errors.example.dev/rate-limited',
      detail: `Too many requests; retry in ${retryAfter} s`,
      headers: { 'retry-after': String(retryAfter) },
    });
  }
}
