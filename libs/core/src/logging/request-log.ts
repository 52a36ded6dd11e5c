import type { IncomingHttpHeaders } from 'node:http';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Level, Logger } from 'pino';

/** The request headers worth a log line; credentials among them are redacted, never dropped silently. */
const LOGGED_HEADERS = ['user-agent', 'x-forwarded-for', 'authorization', 'cookie', 'x-api-key'] as const;

function pickHeaders(headers: IncomingHttpHeaders): Record<string, unknown> {
  const picked: Record<string, unknown> = {};
  for (const name of LOGGED_HEADERS) if (headers[name] !== undefined) picked[name] = headers[name];
  return picked;
}

/** Probes and scrapes run every few seconds; successful ones are noise except when debugging. */
const isRoutine = (route: string | undefined): boolean =>
  route?.startsWith('/health/') === true || route === '/metrics';

export function requestLogLevel(status: number, route: string | undefined): Level {
  if (status >= 500) return 'error';
  if (status >= 400) return 'warn';
  return isRoutine(route) ? 'debug' : 'info';
}

/** A request the client abandoned before its answer was written: 499, as in the metrics. */
export const CLIENT_CLOSED_REQUEST = 499;

/**
 * One log line per request, written from Fastify's response hooks: request id, method, path (never the query
 * string, which may carry anything), route template, status and duration. It costs nothing when its level is
 * off: no child logger, no serialisation, not even the object, is made per request (pino-http made two child
 * loggers for every request, logged or not).
 */
export class RequestLog {
  constructor(private readonly logger: Logger) {}

  answered(request: FastifyRequest, reply: FastifyReply): void {
    this.write(request, reply.statusCode, reply.elapsedTime);
  }

  abandoned(request: FastifyRequest): void {
    this.write(request, CLIENT_CLOSED_REQUEST, undefined);
  }

  private write(request: FastifyRequest, status: number, elapsedMs: number | undefined): void {
    const route = request.routeOptions.url;
    const level = status === CLIENT_CLOSED_REQUEST ? 'info' : requestLogLevel(status, route);
    if (!this.logger.isLevelEnabled(level)) return;
    const path = request.url.split('?')[0];
    const durationMs = elapsedMs === undefined ? undefined : Math.round(elapsedMs);
    this.logger[level](
      {
        requestId: request.id,
        route,
        req: { method: request.method, url: path, headers: pickHeaders(request.headers) },
        res: { statusCode: status },
        durationMs,
      },
      status === CLIENT_CLOSED_REQUEST
        ? `${request.method} ${route ?? path} ${status} (client closed the connection)`
        : `${request.method} ${route ?? path} ${status} ${durationMs}ms`,
    );
  }
}
