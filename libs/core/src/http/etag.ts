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

/**
 * The content codings an answer may be compressed with (see compression.ts). A strong entity tag names one
 * representation, and a compressed one is another representation of the same version, so it gets its own tag,
 * the coding appended: `"v3-br"`, `"v3-gzip"` next to `"v3"` (RFC 9110 §8.8.3.3). Every such tag names version
 * 3 in If-None-Match and If-Match, so that a client can send back whichever tag it was given.
 */
export const ETAG_CODINGS = ['br', 'gzip', 'deflate'] as const;

const CODING_SUFFIX = `(?:-(${ETAG_CODINGS.join('|')}))?`;
const ETAG_VALUE = new RegExp(`^(?:W/)?"v(\\d{1,10})${CODING_SUFFIX}"$`);
/** Versions are PostgreSQL `integer`s: a larger one was never issued and can never match. */
const MAX_VERSION = 2 ** 31 - 1;
const STRONG_ETAG_VALUE = new RegExp(`^"v(\\d{1,10})${CODING_SUFFIX}"$`);

/**
 * The entity tag of an answer compressed with `coding`: a strong tag gets the coding appended (`"v3"` →
 * `"v3-br"`); a weak tag may be shared by every coding, so it stays as it is.
 */
export function codedETag(etag: string, coding: string): string {
  return /^"[^"]*"$/.test(etag) ? `${etag.slice(0, -1)}-${coding}"` : etag;
}

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

/** The content coding an entity tag of ours names (`"v3-br"` → `br`), if any. */
export const codingOfETag = (etag: string): string | undefined => ETAG_VALUE.exec(etag)?.[2];

/**
 * The tag of `version` that an If-None-Match header names, as the client sent it (`'*'` for a wildcard).
 * The tag of a compressed copy (`"v3-gzip"`) counts only when this request accepts that coding: a cache that
 * holds several copies must not be told to serve a gzip one to a client that cannot read it.
 */
export function heldETag(
  header: string | undefined,
  version: number,
  acceptEncoding: string | undefined,
): string | undefined {
  if (header === undefined) return undefined;
  if (header.trim() === '*') return '*';
  for (const part of header.split(',')) {
    const tag = part.trim();
    const match = ETAG_VALUE.exec(tag);
    if (match === null || Number(match[1]) !== version) continue;
    if (match[2] === undefined || acceptsCoding(acceptEncoding, match[2])) return tag;
  }
  return undefined;
}

/** Whether an Accept-Encoding header accepts `coding` (named, or through `*`, with a q-value above 0). */
export function acceptsCoding(header: string | undefined, coding: string): boolean {
  let wildcard = false;
  for (const part of (header ?? '').toLowerCase().split(',')) {
    const [name, ...params] = part.split(';').map((piece) => piece.trim());
    const q = params.find((param) => param.startsWith('q='));
    const accepted = q === undefined || Number(q.slice(2)) > 0;
    if (name === coding || (coding === 'gzip' && name === 'x-gzip')) return accepted;
    if (name === '*') wildcard = accepted;
  }
  return wildcard;
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
    const held = heldETag(request.headers['if-none-match'], version, request.headers['accept-encoding']);
    if (held !== undefined) {
      // The 304 names the copy the client holds ("v3-br" for a compressed one), so that a cache refreshes
      // that stored answer (RFC 9111 §4.3.4).
      if (held !== '*') void reply.header('etag', held);
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
