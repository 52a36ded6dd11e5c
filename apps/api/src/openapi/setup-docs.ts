import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { type OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import type { onRequestHookHandler, RouteOptions } from 'fastify';

export const DOCS_PATH = '/docs';
export const DOCS_JSON_PATH = '/docs/openapi.json';

/**
 * The Content-Security-Policy of the Swagger UI pages: its own scripts and styles (plus the inline styles it
 * sets on elements), data: images (its icons), requests to this origin ("Try it out"); still no framing, no
 * base, no forms elsewhere. Every other route keeps the API's `default-src 'none'` (security-headers.ts).
 */
export const DOCS_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "form-action 'none'",
].join(';');

const isDocsRoute = (url: string): boolean => url === DOCS_PATH || url.startsWith(`${DOCS_PATH}/`);

/** Runs after Nest's security hook (a root hook) and replaces the CSP it set, on the docs routes only. */
const docsCsp: onRequestHookHandler = (_request, reply, done) => {
  void reply.header('content-security-policy', DOCS_CSP);
  done();
};

const hooksOf = (hooks: RouteOptions['onRequest']): onRequestHookHandler[] =>
  hooks === undefined
    ? []
    : Array.isArray(hooks)
      ? [...(hooks as onRequestHookHandler[])]
      : [hooks as onRequestHookHandler];

/**
 * Serves the document at `/docs/openapi.json` and Swagger UI at `/docs` (its assets through @fastify/static).
 * Both are plain Fastify routes outside Nest's pipeline: public, not rate limited. The document is built on
 * first use, and the docs' CSP is a hook attached to the docs routes as they are registered (`onRoute`), so the
 * API's routes carry no extra hook at all.
 */
export function setupDocs(app: NestFastifyApplication, documentOf: () => OpenAPIObject): void {
  const fastify = app.getHttpAdapter().getInstance();
  fastify.addHook('onRoute', (route) => {
    if (isDocsRoute(route.url)) route.onRequest = [...hooksOf(route.onRequest), docsCsp];
  });

  let document: OpenAPIObject | undefined;
  let json: string | undefined;
  const built = (): OpenAPIObject => (document ??= documentOf());
  fastify.get(DOCS_JSON_PATH, (_request, reply) => {
    json ??= JSON.stringify(built());
    void reply.header('cache-control', 'no-cache').type('application/json; charset=utf-8').send(json);
  });
  SwaggerModule.setup(DOCS_PATH, app, built, {
    raw: false,
    customSiteTitle: 'Nest enterprise backend: API docs',
    swaggerOptions: { persistAuthorization: false, displayOperationId: true, tryItOutEnabled: false },
  });
}
