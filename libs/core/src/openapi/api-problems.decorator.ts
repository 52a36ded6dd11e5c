import { applyDecorators } from '@nestjs/common';
import { ApiExtraModels, ApiResponse, getSchemaPath, type ReferenceObject } from '@nestjs/swagger';
import { PROBLEM_CONTENT_TYPE } from '../problem/problem-details';
import { ProblemType } from '../problem/problem-types';
import { type OpenApiHeaderName, headerRefs } from './openapi-headers';
import { ProblemDetailsSchema, ValidationProblemDetailsSchema } from './problem.schemas';

/**
 * The error statuses a route may document; each has one meaning across the API (see docs/api-conventions.md, Status
 * codes).
 */
export type ProblemStatus = 400 | 401 | 403 | 404 | 409 | 412 | 413 | 415 | 422 | 428 | 429 | 500 | 503;

interface ProblemDoc {
  description: string;
  example: Record<string, unknown>;
  headers?: OpenApiHeaderName[];
}

const problem = (status: number, type: string, title: string, detail: string): Record<string, unknown> => ({
  type,
  title,
  status,
  detail,
  requestId: '0b5c7c1e-3f7a-4a59-9d6e-2f0d8f7d1c2b',
});

/** What each status means here; a route may add its own wording with `ApiProblems.describe`. */
const PROBLEMS: Record<ProblemStatus, ProblemDoc> = {
  400: {
    description:
      'The request is malformed: invalid JSON, a body or query beyond the shape limits, an unknown property, ' +
      'a field that fails validation (`errors` lists them), a malformed path parameter or cursor.',
    example: {
      ...problem(400, ProblemType.validation, 'Bad Request', '1 field is invalid'),
      errors: [{ field: 'items[0].quantity', message: 'must not be less than 1' }],
    },
  },
  401: {
    description: 'No, a malformed, an expired or a revoked access token (or, on login, wrong credentials).',
    example: problem(401, 'https://errors.example.dev/unauthorized', 'Unauthorized', 'Missing or invalid credentials'),
    headers: ['WWW-Authenticate'],
  },
  403: {
    description: "The caller's role does not allow this action.",
    example: problem(403, 'https://errors.example.dev/forbidden', 'Forbidden', 'Your role does not allow this action'),
  },
  404: {
    description: 'No such resource, or not one the caller may see.',
    example: problem(404, ProblemType.notFound, 'Not Found', 'No such order'),
  },
  409: {
    description: 'The request conflicts with the current state of the resource.',
    example: problem(409, ProblemType.conflict, 'Conflict', 'A resource with the same unique value already exists'),
  },
  412: {
    description: '`If-Match` does not name the current version: the resource changed since it was read.',
    example: problem(
      412,
      'https://errors.example.dev/precondition',
      'Precondition Failed',
      'The resource has changed since you read it (If-Match does not match the current ETag)',
    ),
  },
  413: {
    description: "The request body is larger than this route's limit.",
    example: problem(413, ProblemType.payloadTooLarge, 'Payload Too Large', 'The request body exceeds the size limit'),
  },
  415: {
    description: 'The request body is not `application/json`.',
    example: problem(
      415,
      ProblemType.unsupportedMediaType,
      'Unsupported Media Type',
      'Only application/json request bodies are accepted',
    ),
  },
  422: {
    description: 'The request is well-formed but cannot be carried out as it stands.',
    example: problem(
      422,
      'https://errors.example.dev/idempotency-key-reused',
      'Unprocessable Entity',
      'Idempotency-Key reused with a different request',
    ),
  },
  428: {
    description: 'This change needs an `If-Match` header with the ETag last read.',
    example: problem(
      428,
      'https://errors.example.dev/precondition',
      'Precondition Required',
      'This change requires an If-Match header with the ETag you last read',
    ),
  },
  429: {
    description: 'Rate limited; retry after `Retry-After` seconds.',
    example: problem(
      429,
      'https://errors.example.dev/rate-limited',
      'Too Many Requests',
      'Too many requests; retry in 12 s',
    ),
    headers: ['Retry-After'],
  },
  500: {
    description: 'An unexpected error (a bug); the details are only in the server log, under the request id.',
    example: problem(
      500,
      ProblemType.internal,
      'Internal Server Error',
      'An unexpected error occurred. Quote the request id when you report it.',
    ),
  },
  503: {
    description:
      'A dependency the request needs is unavailable, the request did not complete in time, or the instance ' +
      'is shutting down; retry after `Retry-After` seconds.',
    example: problem(503, ProblemType.unavailable, 'Service Unavailable', 'The database is unavailable; retry later'),
    headers: ['Retry-After'],
  },
};

const schemaOf = (status: ProblemStatus): ReferenceObject => ({
  $ref: getSchemaPath(status === 400 ? ValidationProblemDetailsSchema : ProblemDetailsSchema),
});

/** A route-specific wording for one status, used with {@link ApiProblems}. */
export interface ProblemNote {
  status: ProblemStatus;
  description: string;
  /** Headers this route adds to the status' own (e.g. `Retry-After` on an idempotency 409). */
  headers?: OpenApiHeaderName[];
  /**
   * A problem of this route's own for the status, instead of the general meaning (e.g. a 403 that is not about
   * roles): `description` then replaces the general one and the example shows this type.
   */
  own?: { type: string; title: string; detail: string };
}

/**
 * The error answers of a route, each `application/problem+json` with the shared `ProblemDetails` schema
 * (`ValidationProblemDetails` for 400) and the headers that come with it. Statuses may be given as numbers or as
 * `{status, description}` for route-specific wording (appended to the general meaning).
 *
 * ```ts
 * @ApiProblems(400, 401, { status: 404, description: 'No such order' }, 429, 500, 503)
 * ```
 */
export function ApiProblems(...statuses: Array<ProblemStatus | ProblemNote>): MethodDecorator & ClassDecorator {
  return applyDecorators(
    ApiExtraModels(ProblemDetailsSchema, ValidationProblemDetailsSchema),
    ...statuses.map((entry) => {
      const note: Partial<ProblemNote> = typeof entry === 'number' ? {} : entry;
      const status = typeof entry === 'number' ? entry : entry.status;
      const doc = PROBLEMS[status];
      const headers = [...(doc.headers ?? []), ...(note.headers ?? [])];
      const own = note.own;
      const general = own ? undefined : doc.description;
      return ApiResponse({
        status,
        description: [general, note.description].filter(Boolean).join(' '),
        headers: headers.length > 0 ? headerRefs(...headers) : undefined,
        content: {
          [PROBLEM_CONTENT_TYPE]: {
            schema: schemaOf(status),
            example: own ? problem(status, own.type, own.title, own.detail) : doc.example,
          },
        },
      });
    }),
  );
}
