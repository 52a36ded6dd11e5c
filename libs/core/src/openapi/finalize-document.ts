import type {
  HeaderObject,
  OpenAPIObject,
  OperationObject,
  ReferenceObject,
  ResponseObject,
  SchemaObject,
} from '@nestjs/swagger';
import {
  MAX_RATE_LIMIT,
  OPENAPI_HEADERS,
  RATE_LIMIT_HEADER_NAMES,
  RATE_LIMIT_WINDOW_SECONDS,
  headerRef,
} from './openapi-headers';
import { NAMED_RATE_LIMITS_EXTENSION, PUBLIC_EXTENSION } from './api-responses.decorator';

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;

/**
 * Statuses without the rate-limit headers: 413 and 415 are answered before the rate limiter runs (the body is read
 * and parsed first), and the limiter's own 429 carries only `Retry-After` (@nestjs/throttler sets a limit's
 * `X-RateLimit-*` only when the request passes it: a 429 of the global limit has none).
 */
const BEFORE_RATE_LIMIT = new Set(['413', '415', '429']);

type Operation = OperationObject & Record<string, unknown>;

const isRef = (value: unknown): value is ReferenceObject =>
  typeof value === 'object' && value !== null && '$ref' in value;

function operationsOf(document: OpenAPIObject): Operation[] {
  return Object.values(document.paths).flatMap((item) =>
    METHODS.map((method) => item[method] as Operation | undefined).filter((op): op is Operation => op !== undefined),
  );
}

/** The schema a local `$ref` names, when it is one of the document's components. */
function schemaOf(document: OpenAPIObject, ref: string): SchemaObject | undefined {
  const prefix = '#/components/schemas/';
  const schema = ref.startsWith(prefix) ? document.components?.schemas?.[ref.slice(prefix.length)] : undefined;
  return schema === undefined || isRef(schema) ? undefined : schema;
}

/**
 * Request bodies are closed: the global validation pipe refuses unknown properties (`forbidNonWhitelisted`), at
 * every level of nesting, so each schema a body reaches is `additionalProperties: false`.
 */
function closeSchema(
  document: OpenAPIObject,
  schema: SchemaObject | ReferenceObject | undefined,
  seen: Set<object>,
): void {
  if (schema === undefined) return;
  const target = isRef(schema) ? schemaOf(document, schema.$ref) : schema;
  if (target === undefined || seen.has(target)) return;
  seen.add(target);
  if (target.type === 'object' || target.properties !== undefined) target.additionalProperties = false;
  for (const property of Object.values(target.properties ?? {})) closeSchema(document, property, seen);
  if (target.items !== undefined) closeSchema(document, target.items, seen);
  for (const part of [...(target.allOf ?? []), ...(target.anyOf ?? []), ...(target.oneOf ?? [])]) {
    closeSchema(document, part, seen);
  }
}

/** The highest value each named limit can be configured to (`RATE_LIMIT_AUTH_PER_MINUTE`; login is half of it). */
const NAMED_LIMIT_MAX: Record<string, number> = { auth: 100_000, login: 50_000 };

/** The headers of a named limit (`X-RateLimit-Limit-auth`, …), defined under `components.headers`. */
const namedRateLimitHeaders = (name: string): Record<string, HeaderObject> => {
  const maximum = NAMED_LIMIT_MAX[name] ?? MAX_RATE_LIMIT;
  return {
    [`X-RateLimit-Limit-${name}`]: {
      description: `Requests allowed per window by the \`${name}\` limit`,
      schema: { type: 'integer', format: 'int32', minimum: 0, maximum },
    },
    [`X-RateLimit-Remaining-${name}`]: {
      description: `Requests left in the current window of the \`${name}\` limit`,
      schema: { type: 'integer', format: 'int32', minimum: 0, maximum },
    },
    [`X-RateLimit-Reset-${name}`]: {
      description: `Seconds until the current window of the \`${name}\` limit ends`,
      schema: { type: 'integer', format: 'int32', minimum: 0, maximum: RATE_LIMIT_WINDOW_SECONDS },
    },
  };
};

/** The document's own keys in the order the specification lists them; below it, alphabetical. */
const TOP_LEVEL = ['openapi', 'info', 'servers', 'security', 'tags', 'paths', 'webhooks', 'components'];

const byName = ([a]: [string, unknown], [b]: [string, unknown]): number => (a < b ? -1 : a > b ? 1 : 0);
const topLevelOrder = ([a]: [string, unknown], [b]: [string, unknown]): number =>
  (TOP_LEVEL.indexOf(a) + 1 || TOP_LEVEL.length + 1) - (TOP_LEVEL.indexOf(b) + 1 || TOP_LEVEL.length + 1) ||
  byName([a, undefined], [b, undefined]);

/**
 * A stable key order, whatever order the decorators ran in: alphabetical at every level but the document's own
 * keys (the specification's order) and schema `properties` (declaration order reads best).
 */
export function sortKeys(value: unknown, parentKey?: string, depth = 0): unknown {
  if (Array.isArray(value)) return value.map((item) => sortKeys(item, undefined, depth + 1));
  if (typeof value !== 'object' || value === null) return value;
  const entries = Object.entries(value).filter(([, v]) => v !== undefined);
  if (depth === 0) entries.sort(topLevelOrder);
  else if (parentKey !== 'properties') entries.sort(byName);
  return Object.fromEntries(entries.map(([key, v]) => [key, sortKeys(v, key, depth + 1)]));
}

/**
 * What the decorators state once and the document needs everywhere: the shared header definitions,
 * `X-Request-Id` on every response, the throttler's headers on every answer of a rate-limited route (one that
 * documents 429), `security: []` for public operations, closed request schemas; then a stable key order.
 */
export function finalizeOpenApiDocument(document: OpenAPIObject): OpenAPIObject {
  document.components ??= {};
  const componentHeaders = structuredClone(OPENAPI_HEADERS) as Record<string, HeaderObject>;
  document.components.headers = componentHeaders;

  for (const operation of operationsOf(document)) {
    if (operation[PUBLIC_EXTENSION] === true) operation.security = [];
    delete operation[PUBLIC_EXTENSION];
    const named = (operation[NAMED_RATE_LIMITS_EXTENSION] as string[] | undefined) ?? [];
    delete operation[NAMED_RATE_LIMITS_EXTENSION];

    const rateLimited = operation.responses['429'] !== undefined;
    for (const [status, response] of Object.entries(operation.responses)) {
      if (response === undefined || isRef(response)) continue;
      const headers: NonNullable<ResponseObject['headers']> = { 'X-Request-Id': headerRef('X-Request-Id') };
      if (rateLimited && !BEFORE_RATE_LIMIT.has(status) && !status.startsWith('5')) {
        for (const name of RATE_LIMIT_HEADER_NAMES) headers[name] = headerRef(name);
        for (const limit of named) {
          for (const [name, header] of Object.entries(namedRateLimitHeaders(limit))) {
            componentHeaders[name] = header;
            headers[name] = { $ref: `#/components/headers/${name}` };
          }
        }
      }
      response.headers = { ...headers, ...response.headers };
    }

    if (operation.requestBody !== undefined && !isRef(operation.requestBody)) {
      for (const media of Object.values(operation.requestBody.content)) closeSchema(document, media.schema, new Set());
    }
  }
  return sortKeys(document) as OpenAPIObject;
}
