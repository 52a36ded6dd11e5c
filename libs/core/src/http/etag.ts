import {
  applyDecorators,
  type CallHandler,
  createParamDecorator,
  type ExecutionContext,
  Injectable,
  type NestInterceptor,
  SetMetadata,
  UseInterceptors,
} from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { map, type Observable } from 'rxjs';
import { ProblemException } from '../problem/problem-details';

/** A resource's entity tag, derived from its `version` (which every change increments). */
export const etagOf = (version: number): string => `"v${version}"`;

const ETAG_VALUE = /^(?:W\/)?"v(\d{1,10})"$/;
/** Versions are PostgreSQL `integer`s: a larger one was never issued and can never match. */
const MAX_VERSION = 2 ** 31 - 1;
const STRONG_ETAG_VALUE = /^"v(\d{1,10})"$/;

/**
 * The versions an If-Match / If-None-Match header names; `'*'` for a wildcard. If-Match compares
 * strongly (RFC 9110), so there a weak tag names nothing.
 */
export function parseETagList(
  header: string | undefined,
  comparison: 'weak' | 'strong' = 'weak',
): number[] | '*' | undefined {
  if (header === undefined || header.trim() === '') return undefined;
  if (header.trim() === '*') return '*';
  const pattern = comparison === 'strong' ? STRONG_ETAG_VALUE : ETAG_VALUE;
  return header
    .split(',')
    .map((part) => pattern.exec(part.trim())?.[1])
    .filter((value): value is string => value !== undefined)
    .map(Number)
    .filter((version) => version <= MAX_VERSION);
}

const ETAG_ROUTE = Symbol('etag-route');

/**
 * Sets `ETag` from a body's `version` and answers a GET/HEAD whose `If-None-Match` names it with 304 and no
 * body (returns `undefined` then). Bodies without a numeric `version` pass through untouched.
 */
export function applyEntityTag(request: FastifyRequest, reply: FastifyReply, body: unknown): unknown {
  const version = (body as { version?: unknown } | null)?.version;
  if (typeof version !== 'number') return body;
  void reply.header('etag', etagOf(version));
  if (request.method === 'GET' || request.method === 'HEAD') {
    const wanted = parseETagList(request.headers['if-none-match']);
    if (wanted === '*' || wanted?.includes(version)) {
      void reply.status(304);
      return undefined;
    }
  }
  return body;
}

@Injectable()
class ETagInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const http = context.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<FastifyReply>();
    return next.handle().pipe(map((body: unknown) => applyEntityTag(request, reply, body)));
  }
}

/**
 * Single-resource routes: sets `ETag` from the returned body's `version`, and answers a GET whose
 * `If-None-Match` names the current version with 304 and no body.
 */
export const WithETag = (): MethodDecorator & ClassDecorator =>
  applyDecorators(SetMetadata(ETAG_ROUTE, true), UseInterceptors(ETagInterceptor));

/** Whether a handler (or its controller) is marked {@link WithETag}, for code that answers in its stead. */
export const isETagRoute = (context: ExecutionContext): boolean =>
  Reflect.getMetadata(ETAG_ROUTE, context.getHandler()) === true ||
  Reflect.getMetadata(ETAG_ROUTE, context.getClass()) === true;

const PRECONDITION_TYPE = 'https://errors.example.dev/precondition';

export const preconditionFailed = (): ProblemException =>
  new ProblemException({
    status: 412,
    type: PRECONDITION_TYPE,
    detail: 'The resource has changed since you read it (If-Match does not match the current ETag)',
  });

/**
 * The version an `If-Match` header expects: `undefined` when absent (or `*`), which a route with
 * `{ required: true }` answers with 428. A header naming no version we could have issued can never
 * match: 412 at once.
 */
export const IfMatch = createParamDecorator(
  (options: { required?: boolean } | undefined, context: ExecutionContext) => {
    const header = context.switchToHttp().getRequest<FastifyRequest>().headers['if-match'];
    const versions = parseETagList(header, 'strong');
    if (versions === undefined) {
      if (options?.required) {
        throw new ProblemException({
          status: 428,
          type: PRECONDITION_TYPE,
          detail: 'This change requires an If-Match header with the ETag you last read',
        });
      }
      return undefined;
    }
    if (versions === '*') return undefined;
    if (versions.length !== 1) throw preconditionFailed();
    return versions[0];
  },
);
