import { type CallHandler, type ExecutionContext, Injectable, type NestInterceptor } from '@nestjs/common';
import { type Observable, throwError, timeout } from 'rxjs';
import { AppConfig } from '../config/app-config';
import { ProblemException } from '../problem/problem-details';
import { ProblemType } from '../problem/problem-types';

/**
 * Bounds every handler by REQUEST_TIMEOUT_MS: a request that cannot finish in time answers 503
 * problem+json with Retry-After instead of holding the client (and a connection) indefinitely.
 */
@Injectable()
export class RequestTimeoutInterceptor implements NestInterceptor {
  constructor(private readonly config: AppConfig) {}

  intercept(_context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const ms = this.config.http.requestTimeoutMs;
    return next.handle().pipe(
      timeout({
        first: ms,
        with: () =>
          throwError(
            () =>
              new ProblemException({
                status: 503,
                type: ProblemType.timeout,
                detail: `The request did not complete within ${ms} ms`,
                headers: { 'retry-after': '1' },
              }),
          ),
      }),
    );
  }
}
