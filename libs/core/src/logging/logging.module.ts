import { Module, RequestMethod } from '@nestjs/common';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { LoggerModule } from 'nestjs-pino';
import type { Options } from 'pino-http';
import { AppConfig } from '../config/app-config';

type LoggedRequest = IncomingMessage & { id?: string; routeTemplate?: string };

/** Fields that must never reach a log line, wherever they appear in a logged object. */
const SECRET_FIELDS = [
  'password',
  'currentPassword',
  'newPassword',
  'token',
  'accessToken',
  'refreshToken',
  'secret',
  'jwtSecret',
];
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-api-key"]',
  'res.headers["set-cookie"]',
  ...SECRET_FIELDS.flatMap((field) => [field, `*.${field}`, `*.*.${field}`]),
];

/** The request headers worth a log line; credentials among them are redacted, never dropped silently. */
const LOGGED_HEADERS = ['user-agent', 'x-forwarded-for', 'authorization', 'cookie', 'x-api-key'];
const pickHeaders = (headers: IncomingMessage['headers']): Record<string, unknown> =>
  Object.fromEntries(LOGGED_HEADERS.filter((name) => headers[name] !== undefined).map((name) => [name, headers[name]]));

/** A request the client abandoned before its answer was written counts as 499, as in the metrics. */
const CLIENT_CLOSED_REQUEST = 499;
const statusOf = (res: ServerResponse): number => (res.writableEnded ? res.statusCode : CLIENT_CLOSED_REQUEST);

export function pinoHttpOptions(config: AppConfig): Options {
  return {
    level: config.log.level,
    genReqId: (req) => (req as LoggedRequest).id ?? 'unknown',
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    transport: config.log.pretty
      ? {
          target: 'pino-pretty',
          options: { singleLine: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname' },
        }
      : undefined,
    customLogLevel: (req, res, err) => {
      if (!res.writableEnded) return 'info'; // the client went away: nothing for an operator to fix
      if (err || res.statusCode >= 500) return 'error';
      if (res.statusCode >= 400) return 'warn';
      // Probes and scrapes run every few seconds; successful ones are noise except when debugging.
      const route = (req as LoggedRequest).routeTemplate;
      return route?.startsWith('/health/') || route === '/metrics' ? 'debug' : 'info';
    },
    customSuccessMessage: (req, res, responseTime) =>
      `${req.method} ${(req as LoggedRequest).routeTemplate ?? req.url} ${statusOf(res)} ${Math.round(responseTime)}ms`,
    customErrorMessage: (req, res) =>
      `${req.method} ${(req as LoggedRequest).routeTemplate ?? req.url} ${res.statusCode}`,
    // On the request line and on every line logged while handling the request (nestjs-pino binds them).
    customProps: (req) => ({ requestId: (req as LoggedRequest).id, route: (req as LoggedRequest).routeTemplate }),
    customAttributeKeys: { responseTime: 'durationMs' },
    serializers: {
      req: (req: IncomingMessage & { raw?: IncomingMessage }) => ({
        method: req.method,
        url: req.url,
        headers: pickHeaders(req.headers ?? {}),
      }),
      res: (res: ServerResponse & { statusCode: number }) => ({ statusCode: res.statusCode }),
    },
  };
}

/**
 * Structured JSON logs through pino: one line per request (request id, method, route, status, duration),
 * secrets redacted, human-readable in development. Nest's own `Logger` writes through the same pino.
 */
@Module({
  imports: [
    LoggerModule.forRootAsync({
      imports: [],
      providers: [],
      inject: [AppConfig],
      useFactory: (config: AppConfig) => ({
        pinoHttp: pinoHttpOptions(config),
        forRoutes: [{ path: '{*splat}', method: RequestMethod.ALL }],
      }),
    }),
  ],
})
export class LoggingModule {}
