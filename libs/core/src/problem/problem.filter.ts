import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { REQUEST_ID_HEADER } from '../http/request-id';
import { ErrorLogBudget, errorSignature, loggableError } from '../logging/error-log';
import { instanceOf, problemBody } from './problem-body';
import { PROBLEM_CONTENT_TYPE, ProblemException } from './problem-details';
import type { ProblemMapper } from './problem-mapper';
import { ProblemType } from './problem-types';

/** Fastify's own errors (content-type parsing, body limit…) carry a `FST_` code and a 4xx status. */
interface FastifyError extends Error {
  code: string;
  statusCode: number;
}

const isFastifyError = (error: unknown): error is FastifyError =>
  error instanceof Error &&
  typeof (error as Partial<FastifyError>).code === 'string' &&
  (error as FastifyError).code.startsWith('FST_') &&
  typeof (error as Partial<FastifyError>).statusCode === 'number';

const FASTIFY_PROBLEMS: Record<string, { status: number; type: string; detail: string }> = {
  FST_ERR_CTP_INVALID_JSON_BODY: {
    status: 400,
    type: ProblemType.malformedBody,
    detail: 'The request body is not valid JSON',
  },
  FST_ERR_CTP_EMPTY_JSON_BODY: {
    status: 400,
    type: ProblemType.malformedBody,
    detail: 'The request body is empty but declared as JSON',
  },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: {
    status: 400,
    type: ProblemType.malformedBody,
    detail: 'Content-Length does not match the body',
  },
  FST_ERR_CTP_BODY_TOO_LARGE: {
    status: 413,
    type: ProblemType.payloadTooLarge,
    detail: 'The request body exceeds the size limit',
  },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: {
    status: 415,
    type: ProblemType.unsupportedMediaType,
    detail: 'Only application/json request bodies are accepted',
  },
  FST_ERR_CTP_INVALID_TYPE: {
    status: 415,
    type: ProblemType.unsupportedMediaType,
    detail: 'The Content-Type header is invalid',
  },
};

const PROTO_POISONING = /__proto__|constructor\.prototype|prototype/i;

function fromFastify(error: FastifyError): ProblemException {
  const known = FASTIFY_PROBLEMS[error.code];
  if (known) return new ProblemException({ ...known, cause: error });
  // secure-json-parse rejects prototype poisoning with a SyntaxError-like 400.
  if (error.statusCode === 400 && PROTO_POISONING.test(error.message)) {
    return new ProblemException({
      status: 400,
      type: ProblemType.malformedBody,
      detail: 'The request body is not acceptable JSON',
      cause: error,
    });
  }
  const status = error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 500;
  return status === 500
    ? internalProblem(error)
    : new ProblemException({ status, detail: error.message, cause: error });
}

function fromHttpException(error: HttpException): ProblemException {
  const status = error.getStatus();
  if (status >= 500) {
    // A 5xx HttpException thrown on purpose (e.g. ServiceUnavailableException) may keep its message;
    // anything else keeps the generic body.
    return status === 500
      ? internalProblem(error)
      : new ProblemException({ status, detail: error.message, cause: error });
  }
  const response = error.getResponse();
  let detail = error.message;
  if (typeof response === 'object' && response !== null) {
    const message = (response as { message?: unknown }).message;
    if (typeof message === 'string') detail = message;
    else if (Array.isArray(message)) detail = message.join('; ');
  }
  return new ProblemException({ status, detail, cause: error });
}

const internalProblem = (cause: unknown): ProblemException =>
  new ProblemException({
    status: 500,
    type: ProblemType.internal,
    detail: 'An unexpected error occurred. Quote the request id when you report it.',
    cause,
  });

/**
 * The one exception filter: every error, from any layer, leaves as RFC 9457 `application/problem+json`.
 * Order: our own problems, errors a registered mapper recognises (database, cache…), Fastify's parser
 * errors, Nest's HTTP exceptions, and finally a generic 500 whose details go only to the log.
 */
@Catch()
export class ProblemFilter implements ExceptionFilter {
  private readonly logger = new Logger('ProblemFilter');
  private readonly budget = new ErrorLogBudget();

  constructor(private readonly mappers: readonly ProblemMapper[] = []) {}

  toProblem(error: unknown): ProblemException {
    if (error instanceof ProblemException) return error;
    for (const map of this.mappers) {
      const mapped = map(error);
      if (mapped) return mapped;
    }
    if (isFastifyError(error)) return fromFastify(error);
    // Nest's Fastify adapter wraps Fastify's own errors in an HttpException whose cause is the original.
    if (error instanceof HttpException) {
      return isFastifyError(error.cause) ? fromFastify(error.cause) : fromHttpException(error);
    }
    return internalProblem(error);
  }

  catch(error: unknown, host: ArgumentsHost): void {
    if (host.getType() !== 'http') throw error;
    const http = host.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<FastifyReply>();
    if (reply.sent) return;
    // Nobody is left to answer, and it is not the server's fault: Fastify's onRequestAbort hook counts it as
    // 499 (see configureHttp), and it is not logged as an error.
    if (clientWentAway(request)) return;
    const problem = this.toProblem(error);
    const status = problem.getStatus();
    if (status >= 500) this.logServerError(problem.cause ?? error, request);
    const requestId = String(request.id);
    void reply
      .status(status)
      .headers({ ...problem.headers, 'cache-control': 'no-store', [REQUEST_ID_HEADER]: requestId })
      .type(PROBLEM_CONTENT_TYPE)
      .send(problemBody(problem, { instance: instanceOf(request.url), requestId }));
  }

  /** Never the request body or query parameters; a stack only for the first error of its kind a minute. */
  private logServerError(cause: unknown, request: FastifyRequest): void {
    const suppressed = this.budget.take(errorSignature(cause));
    if (suppressed === undefined) return;
    const err = loggableError(cause, true);
    this.logger.error(
      {
        err,
        requestId: request.id,
        method: request.method,
        route: request.routeOptions.url ?? 'unmatched',
        suppressed,
      },
      `${err[0]?.type ?? 'Error'}: ${err[0]?.message ?? ''}${suppressed > 0 ? ` (${suppressed} more of this kind not logged)` : ''}`,
    );
  }
}

/** The client closed the connection before its request was answered (e.g. an upload it dropped). */
const clientWentAway = (request: FastifyRequest): boolean =>
  request.raw.readableAborted || request.raw.socket?.destroyed === true;
