import { applyDecorators, type Type } from '@nestjs/common';
import {
  ApiExtension,
  ApiExtraModels,
  ApiHeader,
  ApiParam,
  ApiProperty,
  ApiResponse,
  ApiSchema,
  getSchemaPath,
} from '@nestjs/swagger';
import { MAX_PAGE_LIMIT } from '../pagination/pagination-query.dto';
import { type OpenApiHeaderName, headerRefs } from './openapi-headers';

/** The extension {@link ApiPublic} sets; `finalizeOpenApiDocument` turns it into `security: []`. */
export const PUBLIC_EXTENSION = 'x-public';

/** The extension {@link ApiNamedRateLimits} sets; `finalizeOpenApiDocument` turns it into response headers. */
export const NAMED_RATE_LIMITS_EXTENSION = 'x-named-rate-limits';

/** The OpenAPI name a model is published under (`@ApiSchema({ name })`, else its class name). */
function schemaNameOf(model: Type<unknown>): string {
  const ref = getSchemaPath(model);
  return ref.slice(ref.lastIndexOf('/') + 1);
}

/** The length of every cursor `CursorCodec.encode` issues (57 bytes in base64url, unpadded). */
const CURSOR_LENGTH = 76;

/**
 * `If-Match` / `If-None-Match`: `*` or a list of entity tags (RFC 9110 §8.8.3). Node refuses a request head
 * over 16 KiB (431), which bounds the header.
 */
const ETAG_LIST_SCHEMA = {
  type: 'string',
  maxLength: 16 * 1024,
  pattern: '^(\\*|(W/)?"[\\x21\\x23-\\x7E\\x80-\\xFF]*"([ \\t]*,[ \\t]*(W/)?"[\\x21\\x23-\\x7E\\x80-\\xFF]*")*)$',
  example: '"v3"',
} as const;

const pages = new Map<Type<unknown>, Type<unknown>>();

/**
 * The page class of a model: `{ data: Model[], nextCursor: string | null }`, published as `<Model>Page` (one class
 * per model, so that every list of the same model shares one schema).
 */
export function pageOf(model: Type<unknown>): Type<unknown> {
  let page = pages.get(model);
  if (page === undefined) {
    class Page {
      data: unknown[];
      nextCursor: string | null;
    }
    ApiProperty({
      type: () => [model],
      maxItems: MAX_PAGE_LIMIT,
      description: 'This page (at most `limit` items), in the order `createdAt desc, id desc`',
    })(Page.prototype, 'data');
    ApiProperty({
      type: 'string',
      nullable: true,
      // CursorCodec: base64url of a 25-byte position and its 32-byte HMAC tag, 57 bytes.
      minLength: CURSOR_LENGTH,
      maxLength: CURSOR_LENGTH,
      pattern: `^[A-Za-z0-9_-]{${CURSOR_LENGTH}}$`,
      description: 'Opaque (base64url); pass it back as `?cursor=` for the next page; `null` on the last page',
      example: 'AQAAAZKp2h3xS8y1mH3lS1q8k0f5b7aL9G7n2W0cWb2c0q4x1Yb3Vz5uTtE6H0m9aPq012345678',
    })(Page.prototype, 'nextCursor');
    const name = `${schemaNameOf(model)}Page`;
    Object.defineProperty(Page, 'name', { value: name });
    ApiSchema({ name })(Page);
    pages.set(model, (page = Page));
  }
  return page;
}

export interface ApiResultOptions {
  description: string;
  /** The answer carries the resource's `ETag` (routes with `@WithETag()`). */
  etag?: boolean;
  /** A GET served through the response cache (`@CacheFor`): `Cache-Status`, and a 304 when `etag` is set. */
  cached?: boolean;
}

const successHeaders = (options: ApiResultOptions, ...more: OpenApiHeaderName[]) => {
  const names: OpenApiHeaderName[] = [...more];
  if (options.etag) names.push('ETag');
  if (options.cached) names.push('Cache-Status');
  return names.length > 0 ? headerRefs(...names) : undefined;
};

/** 200 with `model` as JSON; with `etag`, a GET also documents `If-None-Match` and its 304. */
export function ApiOk(model: Type<unknown>, options: ApiResultOptions & { notModified?: boolean }): MethodDecorator {
  const decorators = [
    ApiResponse({ status: 200, type: model, description: options.description, headers: successHeaders(options) }),
  ];
  if (options.notModified) {
    decorators.push(
      ApiIfNoneMatch('The ETag held: an unchanged resource answers 304 without a body'),
      ApiResponse({
        status: 304,
        description: '`If-None-Match` names the current version: the copy held is still good (no body)',
        headers: successHeaders({ ...options, etag: true }),
      }),
    );
  }
  return applyDecorators(...decorators);
}

/** 201 with `model` as JSON and `Location`; `idempotent` adds `Idempotent-Replayed` (see `ApiIdempotencyKey`). */
export function ApiCreated(
  model: Type<unknown>,
  options: ApiResultOptions & { idempotent?: boolean },
): MethodDecorator {
  const more: OpenApiHeaderName[] = ['Location'];
  if (options.idempotent) more.push('Idempotent-Replayed');
  return ApiResponse({
    status: 201,
    type: model,
    description: options.description,
    headers: successHeaders(options, ...more),
  });
}

/** 204: done, no body. */
export const ApiNoContent = (description: string): MethodDecorator => ApiResponse({ status: 204, description });

/** 200 with a page of `model`: `{ data: [...], nextCursor }` (see `PaginationQueryDto` for `limit` and `cursor`). */
export function ApiPage(model: Type<unknown>, options: Omit<ApiResultOptions, 'etag'>): MethodDecorator {
  const page = pageOf(model);
  return applyDecorators(
    ApiExtraModels(page),
    ApiResponse({ status: 200, type: page, description: options.description, headers: successHeaders(options) }),
  );
}

/** A UUID path parameter (`@UuidParam(name)`); anything else is a 400. */
export const ApiUuidParam = (name: string, description: string): MethodDecorator =>
  ApiParam({ name, description, schema: { type: 'string', format: 'uuid', minLength: 36, maxLength: 36 } });

/**
 * `If-None-Match` on a read (optional): the ETag a client holds, `*` or a list (a match answers 304). `example`: a
 * tag of the route's own form, where it is not a version (`"v3"`).
 */
export const ApiIfNoneMatch = (description: string, example?: string): MethodDecorator & ClassDecorator =>
  ApiHeader({
    name: 'If-None-Match',
    required: false,
    description,
    schema: example === undefined ? ETAG_LIST_SCHEMA : { ...ETAG_LIST_SCHEMA, example },
  });

/** `If-Match` on a change: required → 428 without it; always 412 when it names another version. */
export const ApiIfMatch = (options: { required: boolean }): MethodDecorator =>
  ApiHeader({
    name: 'If-Match',
    required: options.required,
    description: options.required
      ? 'The ETag last read (required: 428 without it, 412 when the resource has changed since)'
      : 'The ETag last read: the change is made only if the resource is still at that version (412 otherwise)',
    schema: ETAG_LIST_SCHEMA,
  });

/** `Idempotency-Key` on a creation (`@Idempotent()`): same key + same body replays the first answer. */
export const ApiIdempotencyKey = (): MethodDecorator =>
  ApiHeader({
    name: 'Idempotency-Key',
    required: false,
    description:
      'Makes a retry safe: the same key with the same body replays the first answer (`Idempotent-Replayed: true`), ' +
      'with a different body answers 422, while the first is still running 409. Scoped per user, kept 24 h.',
    schema: { type: 'string', minLength: 1, maxLength: 255, pattern: '^[\\x20-\\x7E]{1,255}$' },
  });

/** Marks the operation public (`@Public()`): `security: []` in the document, no bearer token needed. */
export const ApiPublic = (): MethodDecorator & ClassDecorator => ApiExtension(PUBLIC_EXTENSION, true);

/**
 * Stricter named limits on top of the global one (`@RateLimit('auth')`): the throttler reports each with its own
 * headers, suffixed with the name (`X-RateLimit-Limit-auth`, …).
 */
export const ApiNamedRateLimits = (...names: string[]): MethodDecorator =>
  ApiExtension(NAMED_RATE_LIMITS_EXTENSION, names);
