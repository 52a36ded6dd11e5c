import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, type OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { finalizeOpenApiDocument, headerRefs, PROBLEM_CONTENT_TYPE } from '@app/core';

/** The OpenAPI version the document declares (3.1: JSON Schema 2020-12, `type: [..., 'null']`). */
export const OPENAPI_VERSION = '3.1.0';

/** One tag per feature, in the order the UI lists them. */
const TAGS: ReadonlyArray<readonly [string, string]> = [
  ['auth', 'Accounts, logins and sessions (access and refresh tokens)'],
  ['users', 'Own profile; accounts (admin)'],
  ['catalog', 'Products: read by every authenticated caller, changed by admins'],
  ['orders', 'Orders: stock reserved atomically; cancel and status changes'],
  ['reviews', 'Product reviews by customers who bought the product; they feed its rating'],
  ['invoices', 'Invoice PDFs of paid orders, made in the background'],
  ['health', 'Kubernetes probes (public, not rate limited)'],
  ['metrics', 'Prometheus scrape endpoint'],
];

const DESCRIPTION = `REST API of the Nest enterprise backend.

- Every \`/v1\` route needs \`Authorization: Bearer <accessToken>\` (from \`login\`) unless it says \`security: []\`.
- Bodies are \`application/json\` only (415 otherwise), limited in size per route (413) and shape (400); unknown
  properties are refused (400).
- Every error is \`application/problem+json\` (RFC 9457); validation errors list the invalid fields in \`errors\`.
- Lists are cursor-paginated: \`?limit=\` (1–100, default 20) and \`?cursor=\` from the previous page's \`nextCursor\`.
- Single resources carry an \`ETag\`: send it back as \`If-None-Match\` (304) or \`If-Match\` (412 when it changed).
- Every answer carries \`X-Request-Id\`; rate-limited routes carry \`X-RateLimit-*\` and, on 429, \`Retry-After\`.`;

/**
 * `GET /health/live` is a plain Fastify route (see LivenessRoute in libs/health), outside Nest's controllers, so
 * the scanner cannot see it: it is described here.
 */
const LIVENESS: OpenAPIObject['paths'][string] = {
  get: {
    operationId: 'getLiveness',
    summary: 'Liveness probe',
    description: 'The process answers. Never checks a dependency (a database outage must not restart every pod).',
    tags: ['health'],
    security: [],
    responses: {
      '200': {
        description: 'Alive',
        headers: headerRefs('X-Request-Id'),
        content: {
          'application/json': {
            schema: {
              type: 'object',
              required: ['status'],
              properties: { status: { type: 'string', enum: ['ok'] } },
            },
            example: { status: 'ok' },
          },
        },
      },
      // The handler cannot fail, but Fastify's hooks run on this route too (request id, security headers,
      // metrics, the log line): an error there reaches Nest's error handler, which answers 500 problem+json.
      '500': {
        description: 'An unexpected error (a bug) in the hooks every route runs; details only in the server log',
        headers: headerRefs('X-Request-Id'),
        content: {
          [PROBLEM_CONTENT_TYPE]: {
            schema: { $ref: '#/components/schemas/ProblemDetails' },
            example: {
              type: 'https://errors.example.dev/internal',
              title: 'Internal Server Error',
              status: 500,
              detail: 'An unexpected error occurred. Quote the request id when you report it.',
              instance: '/health/live',
              requestId: '0b5c7c1e-3f7a-4a59-9d6e-2f0d8f7d1c2b',
            },
          },
        },
      },
    },
  },
};

/**
 * The API's OpenAPI 3.1 document, from the controllers' decorators (never the Swagger CLI plugin: the tsc build
 * and the SWC build of the tests must produce the same document). Needs an app whose versioning is configured
 * (`configureHttp`); the app need not be initialised or listening.
 */
export function buildOpenApiDocument(app: INestApplication): OpenAPIObject {
  const builder = new DocumentBuilder()
    .setOpenAPIVersion(OPENAPI_VERSION)
    .setTitle('Nest enterprise backend')
    .setDescription(DESCRIPTION)
    .setVersion('1.0.0')
    // Relative: every deployment serves the same document, so the server is whichever one served it. Public API.
    .addServer(
      '/',
      'The deployment that serves this document (local, staging or production: the same API in each)',
      undefined,
      { 'x-internal': false },
    )
    .addBearerAuth(
      {
        type: 'http',
        scheme: 'bearer',
        bearerFormat: 'JWT',
        description:
          'The `accessToken` from `login` or `refreshTokens`: a JWT signed and verified as RFC8725 (JWT Best ' +
          'Current Practices) advises. HS256 only (`alg: none` and every other algorithm are refused), issuer and ' +
          'audience pinned, `exp` required; short-lived (`expiresIn` seconds) and revoked with its session.',
      },
      'bearer',
    )
    // Not a JWT: METRICS_TOKEN is an opaque shared secret (addBearerAuth would add `bearerFormat: JWT`).
    .addSecurity('metricsToken', {
      type: 'http',
      scheme: 'bearer',
      description: 'METRICS_TOKEN (an opaque shared secret, not a JWT), for `getMetrics` when the server sets it',
    })
    .addSecurityRequirements('bearer');
  for (const [name, description] of TAGS) builder.addTag(name, description);
  const document = SwaggerModule.createDocument(app, builder.build(), {
    // Every operation names itself with @ApiOperation({ operationId }); this only shows a forgotten one.
    operationIdFactory: (controller, method) => `${controller}_${method}`,
  });
  document.paths['/health/live'] = LIVENESS;
  return finalizeOpenApiDocument(document);
}

/** The document as committed in openapi.json: 2-space JSON and a trailing newline. */
export const serializeOpenApiDocument = (document: OpenAPIObject): string => `${JSON.stringify(document, null, 2)}\n`;
