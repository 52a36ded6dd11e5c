export { AppConfig, type DatabaseTarget, configVariableNames, loadConfig } from './config/app-config';
export { ConfigValidationError } from './config/config-validation.error';
export { isPlaceholderSecret } from './config/secrets';
export { CoreModule, type CoreModuleOptions } from './core.module';
export { configureHttp } from './http/configure-http';
export { createFastifyAdapter } from './http/fastify-adapter';
export { applyEntityTag, etagOf, IfMatch, isETagRoute, parseETagList, preconditionFailed, WithETag } from './http/etag';
export { REQUEST_ID_HEADER, generateRequestId, isAcceptableRequestId } from './http/request-id';
export { RequestTimeoutInterceptor } from './interceptors/request-timeout.interceptor';
export { REDACTED_PATHS, rootLoggerOptions } from './logging/root-logger';
export { RequestLog, requestLogLevel } from './logging/request-log';
export {
  PROBLEM_CONTENT_TYPE,
  ProblemException,
  statusTitle,
  type FieldError,
  type ProblemDetails,
  type ProblemInit,
} from './problem/problem-details';
export { causeChain, type ProblemMapper } from './problem/problem-mapper';
export { ProblemFilter } from './problem/problem.filter';
export { ProblemType, type ProblemTypeUri } from './problem/problem-types';
export { createValidationPipe } from './validation/validation.pipe';
export { allowsNull, Omittable, OmittableOrNull } from './validation/omittable.decorator';
export { UniqueBy } from './validation/unique-by.decorator';
export { lowerCaseUuid, UuidParam, UuidParamPipe } from './validation/uuid-param.pipe';
export { JsonBody, type JsonBodyOptions } from './http/json-body/json-body.decorator';
export { findJsonViolation, type JsonLimits, type JsonViolation } from './http/json-body/json-limits';
export { SECURITY_HEADERS, SECURITY_HEADER_OPTIONS } from './http/security-headers';
export { ErrorLogBudget, loggableError } from './logging/error-log';
export { instanceOf, problemBody } from './problem/problem-body';
export { flattenValidationErrors, MAX_FIELD_ERRORS, validationProblem } from './validation/validation-problem';
export { CursorCodec, invalidCursorProblem, type KeysetPosition } from './pagination/cursor-codec';
export { toPage, type Page } from './pagination/page';
export { DEFAULT_PAGE_LIMIT, MAX_PAGE_LIMIT, PaginationQueryDto } from './pagination/pagination-query.dto';
export { Metrics } from './metrics/metrics';
export { EventStream, type EventStreamEnd, type EventStreamMessage } from './http/sse/event-stream';
export { EventStreams, type OpenEventStreamOptions } from './http/sse/event-streams';
export { LastEventId } from './http/sse/last-event-id';
export {
  ApiCreated,
  ApiIdempotencyKey,
  ApiIfMatch,
  ApiIfNoneMatch,
  ApiNamedRateLimits,
  ApiNoContent,
  ApiOk,
  ApiPage,
  ApiProblems,
  ApiPublic,
  ApiUuidParam,
  FieldErrorSchema,
  finalizeOpenApiDocument,
  headerRef,
  headerRefs,
  OPENAPI_HEADERS,
  pageOf,
  ProblemDetailsSchema,
  sortKeys,
  ValidationProblemDetailsSchema,
  type ApiResultOptions,
  type OpenApiHeaderName,
  type ProblemNote,
  type ProblemStatus,
} from './openapi';
