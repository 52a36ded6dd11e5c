import { type CallHandler, type ExecutionContext, Injectable, type NestInterceptor } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import type { Counter } from 'prom-client';
import { catchError, type Observable, throwError } from 'rxjs';
import { Metrics } from '@app/core';
import { isTooManyFailedAttempts } from './too-many-failed-attempts.problem';

/**
 * Counts `credential_throttle_rejections_total{route}`. The throttle is called from services, which do not know
 * the route; here, around every handler, the route template is at hand.
 */
@Injectable()
export class CredentialThrottleMetricsInterceptor implements NestInterceptor {
  private readonly rejections: Counter<'route'>;

  constructor(metrics: Metrics) {
    this.rejections = metrics.counter(
      'credential_throttle_rejections_total',
      'Password checks refused with 429 because the account had too many recent failures, by route template',
      ['route'],
    );
  }

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'http') return next.handle();
    return next.handle().pipe(
      catchError((error: unknown) => {
        if (isTooManyFailedAttempts(error)) {
          const route = context.switchToHttp().getRequest<FastifyRequest>().routeOptions?.url ?? 'unmatched';
          this.rejections.inc({ route });
        }
        return throwError(() => error);
      }),
    );
  }
}
