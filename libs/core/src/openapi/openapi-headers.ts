import type { HeaderObject, ReferenceObject } from '@nestjs/swagger';

/** `isAcceptableRequestId` (libs/core/src/http/request-id.ts); a generated id is a UUID, which matches it too. */
const REQUEST_ID_PATTERN = '^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$';

/**
 * The tags of ours (`etagOf`, `codedETag`): `"v<version>"`, a content coding appended for a compressed answer; a 304
 * repeats the tag the client held, which may be weak (`W/"v3"`). At most `W/"v2147483647-deflate"`: 23 characters.
 */
const ETAG_PATTERN = '^(W/)?"v[0-9]{1,10}(-(br|gzip|deflate))?"$';

/** `/v1/<collection>/<uuid>` (the longest, `/v1/products/…`, is 49 characters). */
const LOCATION_PATTERN = '^/v1/(orders|products|users)/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$';

/** `RATE_LIMIT_PER_MINUTE`'s upper bound (the named limits' bounds are lower). */
export const MAX_RATE_LIMIT = 1_000_000;
/** Every limit's window is a minute. */
export const RATE_LIMIT_WINDOW_SECONDS = 60;

/**
 * The response headers the API documents, defined once under `components.headers` and referenced from each
 * response (`headerRef('ETag')`).
 */
export const OPENAPI_HEADERS = {
  'X-Request-Id': {
    description:
      "Id of this request, also in the server log line and in a problem body (`requestId`): the client's own " +
      '`X-Request-Id` when it is acceptable (up to 128 letters, digits, `.`, `_`, `:` or `-`), else a UUID',
    schema: {
      type: 'string',
      minLength: 1,
      maxLength: 128,
      pattern: REQUEST_ID_PATTERN,
      example: '0b5c7c1e-3f7a-4a59-9d6e-2f0d8f7d1c2b',
    },
  },
  ETag: {
    description:
      "Entity tag of the resource's current version; send it back as `If-Match` or `If-None-Match` " +
      '(`"v<version>"`, with the content coding appended for a compressed answer: `"v3-br"`)',
    schema: { type: 'string', maxLength: 23, pattern: ETAG_PATTERN, example: '"v3"' },
  },
  Location: {
    description: 'Path of the created resource',
    schema: {
      type: 'string',
      format: 'uri-reference',
      maxLength: 49,
      pattern: LOCATION_PATTERN,
      example: '/v1/orders/4b3c2d1e-0f9a-4b8c-9d7e-6f5a4b3c2d1e',
    },
  },
  'Retry-After': {
    description: 'Seconds to wait before retrying',
    schema: { type: 'integer', format: 'int32', minimum: 0, maximum: 86_400, example: 1 },
  },
  'Cache-Status': {
    description:
      'RFC 9211: whether the answer came from the response cache (`hit`) or was computed (`fwd=miss`; ' +
      '`detail=unavailable` when the cache could not be reached)',
    schema: {
      type: 'string',
      enum: ['nest-api; hit', 'nest-api; fwd=miss', 'nest-api; fwd=miss; detail=unavailable'],
      example: 'nest-api; hit',
    },
  },
  'Idempotent-Replayed': {
    description: 'Present (`true`) when the answer replays the first answer to this `Idempotency-Key`',
    schema: { type: 'string', enum: ['true'] },
  },
  'WWW-Authenticate': {
    description: 'The authentication scheme (`Bearer`, with `error="invalid_token"` for a bad token)',
    schema: {
      type: 'string',
      enum: ['Bearer', 'Bearer error="invalid_token"'],
      example: 'Bearer error="invalid_token"',
    },
  },
  'X-RateLimit-Limit': {
    description: 'Requests allowed per window (per user when authenticated, else per client IP)',
    schema: { type: 'integer', format: 'int32', minimum: 0, maximum: MAX_RATE_LIMIT, example: 300 },
  },
  'X-RateLimit-Remaining': {
    description: 'Requests left in the current window',
    schema: { type: 'integer', format: 'int32', minimum: 0, maximum: MAX_RATE_LIMIT, example: 299 },
  },
  'X-RateLimit-Reset': {
    description: 'Seconds until the current window ends',
    schema: { type: 'integer', format: 'int32', minimum: 0, maximum: RATE_LIMIT_WINDOW_SECONDS, example: 60 },
  },
} as const satisfies Record<string, HeaderObject>;

export type OpenApiHeaderName = keyof typeof OPENAPI_HEADERS;

/** The names of the rate-limit headers the throttler sends on every answer of a rate-limited route. */
export const RATE_LIMIT_HEADER_NAMES = ['X-RateLimit-Limit', 'X-RateLimit-Remaining', 'X-RateLimit-Reset'] as const;

export const headerRef = (name: OpenApiHeaderName): ReferenceObject => ({ $ref: `#/components/headers/${name}` });

/** `{ ETag: {$ref}, … }` for a response's `headers`. */
export const headerRefs = (...names: OpenApiHeaderName[]): Record<string, ReferenceObject> =>
  Object.fromEntries(names.map((name) => [name, headerRef(name)]));
