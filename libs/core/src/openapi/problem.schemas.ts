import { ApiProperty, ApiSchema } from '@nestjs/swagger';

/**
 * The longest a text that quotes the request can be: a property path (`FieldError.field`, or the path a JSON limit
 * `detail` names) is made of the request's own keys, so only the body limit bounds it (`BODY_LIMIT`, at most 100
 * MiB; a query string is within the 16 KiB request head). The texts the API writes itself are far shorter.
 */
const MAX_QUOTED_LENGTH = 100 * 1024 * 1024 + 256;

/** The request target is part of the request head, which Node limits to 16 KiB (431 beyond). */
const MAX_REQUEST_TARGET_LENGTH = 16 * 1024;

/** One invalid field of a validation problem (see `validationProblem`). */
@ApiSchema({ name: 'FieldError' })
export class FieldErrorSchema {
  @ApiProperty({
    type: 'string',
    minLength: 1,
    maxLength: MAX_QUOTED_LENGTH,
    description:
      'Path of the offending field: property names joined by `.`, array indexes as `[n]`, `$` for the body itself',
    example: 'items[0].quantity',
  })
  field: string;

  @ApiProperty({ type: 'string', maxLength: 1024, example: 'must not be less than 1' })
  message: string;
}

/**
 * RFC 9457 problem details, as every layer of the API sends them (`application/problem+json`). Extension members
 * (camelCase) may be added by some errors, e.g. `currentStatus` on an invalid order transition.
 */
@ApiSchema({ name: 'ProblemDetails' })
export class ProblemDetailsSchema {
  @ApiProperty({
    type: 'string',
    format: 'uri',
    maxLength: 256,
    description: 'Stable URI per kind of error; clients may switch on it (`about:blank` for plain HTTP errors)',
    example: 'https://errors.example.dev/not-found',
  })
  type: string;

  @ApiProperty({ type: 'string', maxLength: 64, description: 'The HTTP status text', example: 'Not Found' })
  title: string;

  @ApiProperty({ type: 'integer', format: 'int32', minimum: 400, maximum: 599, example: 404 })
  status: number;

  @ApiProperty({
    type: 'string',
    required: false,
    maxLength: MAX_QUOTED_LENGTH,
    description: 'What went wrong, for a human; a body-limit problem quotes the path of the offending property',
    example: 'No such product',
  })
  detail?: string;

  @ApiProperty({
    type: 'string',
    required: false,
    format: 'uri-reference',
    maxLength: MAX_REQUEST_TARGET_LENGTH,
    description: 'The request path, without its query',
    example: '/v1/products/4b3c2d1e-0f9a-4b8c-9d7e-6f5a4b3c2d1e',
  })
  instance?: string;

  @ApiProperty({
    type: 'string',
    required: false,
    minLength: 1,
    maxLength: 128,
    pattern: '^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$',
    description: 'The same id as the `X-Request-Id` response header and the server log line',
    example: '0b5c7c1e-3f7a-4a59-9d6e-2f0d8f7d1c2b',
  })
  requestId?: string;
}

/**
 * A 400: with `errors` listing the invalid fields when validation failed (`type` …/validation); without it for a
 * body that is not JSON or breaks the shape limits.
 */
@ApiSchema({ name: 'ValidationProblemDetails' })
export class ValidationProblemDetailsSchema extends ProblemDetailsSchema {
  @ApiProperty({
    type: () => [FieldErrorSchema],
    required: false,
    maxItems: 20,
    description: 'The invalid fields (at most 20); only on validation failures',
  })
  errors?: FieldErrorSchema[];
}
