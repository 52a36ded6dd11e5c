import { VersioningType } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { AppConfig } from '../config/app-config';
import { RequestLog } from '../logging/request-log';
import { Metrics } from '../metrics/metrics';
import { registerCors } from './cors';
import { REQUEST_ID_HEADER } from './request-id';
import { SECURITY_HEADER_OPTIONS } from './security-headers';
import { EventStreams, isEventStream } from './sse/event-streams';

/**
 * Everything about the HTTP surface that is not a module: versioning, JSON-only bodies, security
 * headers, the request id header, CORS, the request's metrics and log line. main.ts and the end-to-end tests both call it, so tests exercise
 * the same server that production runs.
 */
export function configureHttp(app: NestFastifyApplication): void {
  const fastify = app.getHttpAdapter().getInstance();

  // JSON only: Fastify also parses text/plain by default; without a parser it answers 415.
  fastify.removeContentTypeParser(['text/plain']);

  fastify.addHook('onRequest', (request, reply, done) => {
    void reply.header(REQUEST_ID_HEADER, request.id);
    done();
  });
  // After the request id (and Nest's security-header hook, which the adapter adds first): a preflight it
  // answers carries both.
  registerCors(fastify, app.get(AppConfig).http.corsOrigins);

  // Request count and duration by route template (unmatched routes share one label, so a scan of random
  // URLs cannot blow up the series count), and the request's log line.
  const metrics = app.get(Metrics);
  const requestLog = app.get(RequestLog);
  fastify.addHook('onResponse', (request, reply, done) => {
    if (isEventStream(request)) return done();
    metrics.observeRequest(
      request.method,
      request.routeOptions.url ?? 'unmatched',
      reply.statusCode,
      reply.elapsedTime / 1000,
    );
    requestLog.answered(request, reply);
    done();
  });
  // A client that closes the connection before its answer (a dropped upload): 499, never a 5xx.
  fastify.addHook('onRequestAbort', (request, done) => {
    if (isEventStream(request)) return done();
    metrics.countAbandonedRequest(request.method, request.routeOptions.url ?? 'unmatched');
    requestLog.abandoned(request);
    done();
  });

  // Open event streams would hold the server's close up forever: they end first (after the shutdown drain, which
  // runs in `beforeApplicationShutdown`), and their clients reconnect to another replica.
  const streams = app.get(EventStreams);
  fastify.addHook('preClose', (done) => {
    streams.closeAll();
    done();
  });

  app.enableVersioning({ type: VersioningType.URI, defaultVersion: undefined });

  app.useSecurityHeaders(SECURITY_HEADER_OPTIONS);
}
