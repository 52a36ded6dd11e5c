import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { JsonBodyRouteConfig } from './json-body.decorator';
import { findJsonViolation, type JsonLimits } from './json-limits';
import { jsonViolationProblem } from './json-violation.problem';

const RESOLVED_LIMITS = Symbol('json-limits');
type RouteConfig = JsonBodyRouteConfig & { [RESOLVED_LIMITS]?: JsonLimits };

/**
 * `application/json` bodies: Fastify's own parser (secure-json-parse: prototype poisoning is an error), then
 * the shape limits in one O(size) pass, so that no request within the byte limit can make the validation that
 * follows slow. A route's `@JsonBody()` options become its Fastify `bodyLimit` (Fastify then counts the bytes
 * as they arrive, chunked bodies included) and its shape limits, resolved once when the route is registered.
 *
 * Call it before the routes are registered (the adapter is the place).
 */
export function registerJsonBodyParser(fastify: FastifyInstance, defaults: JsonLimits): void {
  fastify.addHook('onRoute', (route) => {
    const config = (route.config ?? {}) as RouteConfig;
    const options = config.jsonBody;
    if (options === undefined) return;
    route.bodyLimit = options.maxBytes;
    const { maxBytes: _bytes, ...shape } = options;
    route.config = { ...config, [RESOLVED_LIMITS]: { ...defaults, ...shape } } as typeof route.config;
  });

  const parse = fastify.getDefaultJsonParser('error', 'error');
  const limitsOf = (request: FastifyRequest): JsonLimits =>
    (request.routeOptions.config as RouteConfig)[RESOLVED_LIMITS] ?? defaults;

  fastify.removeContentTypeParser('application/json');
  fastify.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    // parseAs 'string': the body is a string.
    parse(request, body as string, (error, value) => {
      if (error) return done(error, undefined);
      const violation = findJsonViolation(value, limitsOf(request));
      if (violation) return done(jsonViolationProblem(violation), undefined);
      done(null, value);
    });
  });
}
