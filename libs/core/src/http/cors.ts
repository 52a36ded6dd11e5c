import type { FastifyInstance, FastifyReply, FastifyRequest, FastifyServerOptions } from 'fastify';
import { REQUEST_ID_HEADER } from './request-id';
import { SECURITY_HEADERS } from './security-headers';

/*
 * CORS for the browser origins CORS_ORIGINS lists, and for no other. The rules:
 *
 * - Exact match of the Origin header against the list (a Set): no wildcard, no pattern, never an origin echoed
 *   back unless it is listed. `Access-Control-Allow-Credentials` is never sent: callers authenticate with a
 *   bearer token, not cookies, so a browser never needs to attach its credentials.
 * - A preflight (OPTIONS with Access-Control-Request-Method) from a listed origin gets 204 with the methods and
 *   request headers the API accepts, for any path: the answer does not depend on the path, so it says nothing
 *   about which routes exist. It carries the security headers and X-Request-Id like every answer, and never
 *   reaches the guards (no rate limit, no authentication: a browser sends neither with a preflight).
 * - Every other request, from a listed origin, gets `Access-Control-Allow-Origin` and the response headers
 *   clients need to read (`Access-Control-Expose-Headers`), errors included, so a browser client can read a
 *   problem body. Any other origin is treated as if CORS were off: no CORS header at all, and its preflight
 *   goes on as a plain OPTIONS request, which no route answers (404 problem+json, the same for every path).
 * - `Vary: Origin` on every answer while the list is not empty: whether an answer carries the CORS headers
 *   depends on the Origin header, also for a request without one, whose answer a shared cache must not hand
 *   to a browser that sent one (Fetch standard, "CORS protocol and HTTP caches"). Compression appends
 *   `accept-encoding` to it (see compression.ts), so a compressed answer has both.
 *
 * Not Nest's `app.enableCors()` (@fastify/cors): its hook runs before the security headers and the request id
 * are set, and answers preflights there, so they would go without both; with a list of origins it answers any
 * origin's preflight with 204 and the allowed methods and headers (without Allow-Origin), a plain OPTIONS from
 * a listed origin with a text/plain 400, and it merges its options object on every request. This is one Set
 * lookup and a few header writes per request, and nothing at all when the list is empty.
 */

/** The methods the API's routes answer (HEAD comes with every GET). */
export const CORS_ALLOWED_METHODS: readonly string[] = ['GET', 'HEAD', 'POST', 'PATCH', 'DELETE'];

/** Request headers beyond the CORS-safelisted ones that clients send. */
export const CORS_ALLOWED_HEADERS: readonly string[] = [
  'Authorization',
  'Content-Type',
  'Idempotency-Key',
  'If-Match',
  'If-None-Match',
  'X-Request-Id',
];

/**
 * Response headers beyond the CORS-safelisted ones that clients read: the entity tag, where a creation lives,
 * the request id to quote, when to retry (429, 503), why a token was refused (401), an idempotent replay, the
 * response cache's status, and the rate limits @nestjs/throttler sends (`X-RateLimit-*`, with the throttler's
 * name as a suffix on the routes that have their own limit: `auth`, `login`; see libs/auth rate-limits.ts).
 */
export const CORS_EXPOSED_HEADERS: readonly string[] = [
  'ETag',
  'Location',
  'X-Request-Id',
  'Retry-After',
  // The throttler's own Retry-After on a 429 of a named limit (the auth and login limits).
  'Retry-After-auth',
  'Retry-After-login',
  'WWW-Authenticate',
  'Idempotent-Replayed',
  'Cache-Status',
  ...['', '-auth', '-login'].flatMap((suffix) =>
    ['Limit', 'Remaining', 'Reset'].map((name) => `X-RateLimit-${name}${suffix}`),
  ),
];

/**
 * How long a browser may reuse a preflight answer. Browsers cap it (Chromium at 2 hours, Firefox at 24) and
 * key their preflight cache by origin, URL, method and header names, so a method or header added later gets
 * a fresh preflight anyway; a longer time only saves round trips.
 */
export const CORS_MAX_AGE_SECONDS = 7_200;

const ALLOW_METHODS = CORS_ALLOWED_METHODS.join(', ');
const ALLOW_HEADERS = CORS_ALLOWED_HEADERS.join(', ');
const EXPOSE_HEADERS = CORS_EXPOSED_HEADERS.join(', ');
const MAX_AGE = String(CORS_MAX_AGE_SECONDS);

/** The allowlist and the headers it gives; built once, only when CORS_ORIGINS is not empty. */
class CorsPolicy {
  private readonly origins: ReadonlySet<string>;

  constructor(origins: readonly string[]) {
    this.origins = new Set(origins);
  }

  /** Sets the CORS headers of the answer; true when the request is a preflight from a listed origin. */
  apply(request: FastifyRequest, reply: FastifyReply): boolean {
    void reply.header('vary', 'Origin');
    const origin = request.headers.origin;
    if (origin === undefined || !this.origins.has(origin)) return false;
    void reply.header('access-control-allow-origin', origin);
    if (request.method === 'OPTIONS' && request.headers['access-control-request-method'] !== undefined) {
      void reply
        .header('access-control-allow-methods', ALLOW_METHODS)
        .header('access-control-allow-headers', ALLOW_HEADERS)
        .header('access-control-max-age', MAX_AGE);
      return true;
    }
    void reply.header('access-control-expose-headers', EXPOSE_HEADERS);
    return false;
  }
}

const answerPreflight = (reply: FastifyReply): void => void reply.code(204).send();

/**
 * CORS for the origins given (config.http.corsOrigins); none registers nothing. An `onRequest` hook, added
 * after the ones that set the security headers and X-Request-Id (see configureHttp), so that a preflight it
 * answers has them too. Hooks run before Nest's guards, so a preflight is never rate limited.
 */
export function registerCors(fastify: FastifyInstance, origins: readonly string[]): void {
  if (origins.length === 0) return;
  const policy = new CorsPolicy(origins);
  fastify.addHook('onRequest', function cors(request, reply, done) {
    if (policy.apply(request, reply)) answerPreflight(reply);
    else done();
  });
}

type FrameworkErrorHandler = NonNullable<FastifyServerOptions['frameworkErrors']>;

/**
 * The router's own errors (a malformed URL, an over-long path segment; see low-level-errors.ts) are answered
 * before any hook runs: with a listed origin they get the CORS headers too, and a preflight to such a URL is
 * answered like any other (its answer does not depend on the path), with the headers the hooks would have set.
 * Without origins, the handler as it is. (What Node's HTTP parser refuses, or a request without Host or with an
 * unknown Expect, is answered below Fastify and goes without CORS headers: no browser sends such a request.)
 */
export function withCors(handler: FrameworkErrorHandler, origins: readonly string[]): FrameworkErrorHandler {
  if (origins.length === 0) return handler;
  const policy = new CorsPolicy(origins);
  return function corsFrameworkError(error, request, reply) {
    if (!policy.apply(request, reply)) return handler(error, request, reply);
    for (const [name, value] of SECURITY_HEADERS) void reply.header(name, value);
    void reply.header(REQUEST_ID_HEADER, String(request.id));
    answerPreflight(reply);
  };
}
