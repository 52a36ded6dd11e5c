export { ApiProblems, type ProblemNote, type ProblemStatus } from './api-problems.decorator';
export {
  ApiCreated,
  ApiIdempotencyKey,
  ApiIfMatch,
  ApiIfNoneMatch,
  ApiNamedRateLimits,
  ApiNoContent,
  ApiOk,
  ApiPage,
  ApiPublic,
  ApiUuidParam,
  pageOf,
  type ApiResultOptions,
} from './api-responses.decorator';
export { finalizeOpenApiDocument, sortKeys } from './finalize-document';
export { OPENAPI_HEADERS, headerRef, headerRefs, type OpenApiHeaderName } from './openapi-headers';
export { FieldErrorSchema, ProblemDetailsSchema, ValidationProblemDetailsSchema } from './problem.schemas';
