import { FastifyAdapter } from '@nestjs/platform-fastify';
import type { AppConfig } from '../config/app-config';
import { generateRequestId } from './request-id';

/**
 * The HTTP server: Fastify with the body limit from config, a proxy trust list that is explicit
 * (nothing is trusted unless TRUST_PROXY names it), and request ids that logs and responses share.
 */
export function createFastifyAdapter(config: AppConfig): FastifyAdapter {
  const { trustProxy, bodyLimit } = config.http;
  return new FastifyAdapter({
    bodyLimit,
    trustProxy: trustProxy.length > 0 ? [...trustProxy] : false,
    genReqId: generateRequestId,
    requestIdHeader: false,
    // pino-http (nestjs-pino) writes one line per request; Fastify's own request logging stays off.
    logger: false,
    return503OnClosing: false,
    forceCloseConnections: 'idle',
    onProtoPoisoning: 'error',
    onConstructorPoisoning: 'error',
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 200 },
  });
}
