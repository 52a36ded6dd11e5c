import { createServer, type RequestListener } from 'node:http';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import type { AppConfig } from '../config/app-config';
import { registerCompression } from './compression';
import { withCors } from './cors';
import { registerJsonBodyParser } from './json-body/json-body-parser';
import { answerUnacceptableRequest, handleClientError, handleFrameworkError } from './low-level-errors';
import { generateRequestId } from './request-id';

/** How often Node checks connections against the head and body timeouts (its default, 30 s, is too coarse). */
const TIMEOUT_CHECK_INTERVAL_MS = 1_000;

/**
 * The HTTP server: Fastify with the body limit from config, a proxy trust list that is explicit
 * (nothing is trusted unless TRUST_PROXY names it), request ids that logs and responses share, timeouts for
 * slow clients, JSON bodies checked for shape before anything maps them, problem+json answers from the
 * layers below Nest (Node's parser, Fastify's router), and compressed answers. Compression is registered
 * here, before Nest adds a single route: its hooks are attached to each route as it is declared.
 */
export function createFastifyAdapter(config: AppConfig): FastifyAdapter {
  const { trustProxy, bodyLimit, headersTimeoutMs, bodyTimeoutMs, keepAliveTimeoutMs, jsonLimits } = config.http;
  const adapter = new FastifyAdapter({
    bodyLimit,
    trustProxy: trustProxy.length > 0 ? [...trustProxy] : false,
    genReqId: generateRequestId,
    requestIdHeader: false,
    // RequestLog writes one line per request from the response hooks; Fastify's own request logging stays off.
    logger: false,
    return503OnClosing: false,
    forceCloseConnections: 'idle',
    onProtoPoisoning: 'error',
    onConstructorPoisoning: 'error',
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 200 },
    keepAliveTimeout: keepAliveTimeoutMs,
    requestTimeout: bodyTimeoutMs,
    serverFactory: (handler: RequestListener) => {
      const server = createServer(
        {
          headersTimeout: headersTimeoutMs,
          requestTimeout: bodyTimeoutMs,
          keepAliveTimeout: keepAliveTimeoutMs,
          connectionsCheckingInterval: TIMEOUT_CHECK_INTERVAL_MS,
          // Checked in the handler below, so that the answer is problem+json like every other.
          requireHostHeader: false,
        },
        (request, response) => {
          if (!answerUnacceptableRequest(request, response)) handler(request, response);
        },
      );
      server.on('checkExpectation', (request, response) => answerUnacceptableRequest(request, response));
      return server;
    },
    clientErrorHandler: handleClientError,
    frameworkErrors: withCors(handleFrameworkError, config.http.corsOrigins),
  });
  registerJsonBodyParser(adapter.getInstance(), jsonLimits);
  registerCompression(adapter.getInstance(), config.http.compressionThresholdBytes);
  return adapter;
}
