import {
  type CallHandler,
  type ExecutionContext,
  HttpException,
  Injectable,
  type NestInterceptor,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { defer, lastValueFrom, type Observable, throwError } from 'rxjs';
import { ProblemException, ProblemFilter, type ProblemDetails, ProblemType } from '@app/core';
import type { AuthenticatedRequest } from '@app/auth';
import { IDEMPOTENCY_KEY_HEADER, IDEMPOTENT_REPLAYED_HEADER, REPLAYED_RESPONSE_HEADERS } from './idempotency.constants';
import type { IdempotencyScope, StoredResponse } from './idempotency-keys.repository';
import { invalidKeyProblem, keyInProgressProblem, keyReusedProblem } from './idempotency-problems';
import { parseIdempotencyKey, requestFingerprint } from './idempotency-request';
import { IdempotencyService } from './idempotency.service';
import { IDEMPOTENT } from './idempotent.decorator';

/**
 * Nest marks a request whose pipes rejected it (its handler never ran) with this registered symbol
 * (`isRejectedByPipes` in @nestjs/core's internals), meant for interceptors that must undo what they
 * prepared for the handler.
 */
const REJECTED_BY_PIPES = Symbol.for('nestjs:rejected-by-pipes');

type Request = FastifyRequest & AuthenticatedRequest;

/** Presents errors exactly as the global filter would (no mappers: only HTTP exceptions are stored). */
const presenter = new ProblemFilter();

const isValidationFailure = (error: unknown): boolean =>
  error instanceof ProblemException && error.problemType === ProblemType.validation && Array.isArray(error.errors);

/**
 * `@Idempotent()` routes: an `Idempotency-Key` claims a row before the handler runs; the outcome is
 * stored and replayed for the same key + same request, per user.
 *
 * Outcomes: success and 4xx errors raised once the handler ran (e.g. 409 insufficient stock) are the
 * key's result and are replayed. Requests the pipes rejected (validation 400) and 5xx or unknown errors
 * release the key, so the client can fix the request or retry with the same key.
 */
@Injectable()
export class IdempotencyInterceptor implements NestInterceptor {
  constructor(
    private readonly reflector: Reflector,
    private readonly idempotency: IdempotencyService,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'http') return next.handle();
    if (!this.reflector.get<boolean>(IDEMPOTENT, context.getHandler())) return next.handle();

    const http = context.switchToHttp();
    const request = http.getRequest<Request>();
    const header = request.headers[IDEMPOTENCY_KEY_HEADER];
    // Keys are scoped per user: without a principal there is no scope, so the header is ignored.
    if (header === undefined || !request.principal) return next.handle();
    const key = parseIdempotencyKey(header);
    if (key === undefined) return throwError(() => invalidKeyProblem());

    const scope: IdempotencyScope = {
      userId: request.principal.id,
      key,
      fingerprint: requestFingerprint(request.method, (request.url ?? '').split('?')[0] ?? '', request.body),
    };
    // A promise, not an operator chain: if an outer interceptor (the request timeout) gives up on the
    // response, the handler still runs to its end and its outcome is still recorded for the key.
    return defer(() => this.run(scope, request, http.getResponse<FastifyReply>(), next));
  }

  private async run(
    scope: IdempotencyScope,
    request: Request,
    reply: FastifyReply,
    next: CallHandler,
  ): Promise<unknown> {
    const decision = await this.idempotency.begin(scope);
    switch (decision.kind) {
      case 'mismatch':
        throw keyReusedProblem();
      case 'in-progress':
        throw keyInProgressProblem();
      case 'replay':
        return replay(decision.response, reply);
      case 'proceed':
        break;
    }

    // The status Nest set for the route (`@HttpCode`, else 201 for POST) before the handler ran.
    const routeStatus = reply.statusCode;
    let value: unknown;
    try {
      value = await lastValueFrom(next.handle(), { defaultValue: undefined });
    } catch (error) {
      const outcome = this.isOutcome(error, request) ? problemResponse(error as HttpException) : undefined;
      if (outcome) await this.idempotency.complete(scope, outcome);
      else await this.idempotency.release(scope);
      throw error;
    }
    let response: StoredResponse;
    try {
      response = successResponse(value, reply, routeStatus);
    } catch (error) {
      // Not JSON-serialisable (Nest could not send it either): nothing to replay.
      await this.idempotency.release(scope);
      throw error;
    }
    await this.idempotency.complete(scope, response);
    return value;
  }

  /** A 4xx HTTP error raised once the request reached the handler is the answer to this request. */
  private isOutcome(error: unknown, request: Request): boolean {
    if (!(error instanceof HttpException)) return false;
    const status = error.getStatus();
    if (status < 400 || status >= 500) return false;
    return !(request as unknown as Record<symbol, unknown>)[REJECTED_BY_PIPES] && !isValidationFailure(error);
  }
}

function successResponse(value: unknown, reply: FastifyReply, routeStatus: number): StoredResponse {
  // Normally nothing has been sent yet. If something already answered (the request timeout's 503), the
  // reply's status is that answer's, not the handler's: the handler's outcome is the route's status.
  const status = reply.sent && reply.statusCode >= 400 ? routeStatus : reply.statusCode;
  const headers: Record<string, string> = {};
  for (const name of REPLAYED_RESPONSE_HEADERS) {
    const header = reply.getHeader(name);
    if (header !== undefined) headers[name] = String(header);
  }
  // What the client received: JSON-serialisable values as JSON (a Date becomes its ISO string).
  const body = value === undefined ? undefined : (JSON.parse(JSON.stringify(value) ?? 'null') as unknown);
  return { status, body, headers };
}

/** The problem body as the filter sends it, minus what is per request (`instance`, `requestId`). */
function problemResponse(error: HttpException): StoredResponse {
  const problem = presenter.toProblem(error);
  const body: ProblemDetails = {
    type: problem.problemType,
    title: problem.title,
    status: problem.getStatus(),
    ...(problem.detail !== undefined ? { detail: problem.detail } : {}),
    ...(problem.errors ? { errors: problem.errors } : {}),
    ...problem.extensions,
  };
  return {
    status: problem.getStatus(),
    body: JSON.parse(JSON.stringify(body)) as unknown,
    headers: { ...problem.headers },
  };
}

function replay(response: StoredResponse, reply: FastifyReply): unknown {
  if (response.status >= 400) {
    const { type, title, status: _status, detail, errors, ...extensions } = (response.body ?? {}) as ProblemDetails;
    throw new ProblemException({
      status: response.status,
      type,
      title,
      detail,
      errors,
      extensions,
      headers: { ...response.headers, [IDEMPOTENT_REPLAYED_HEADER]: 'true' },
    });
  }
  void reply.status(response.status).headers({ ...response.headers, [IDEMPOTENT_REPLAYED_HEADER]: 'true' });
  return response.body;
}
