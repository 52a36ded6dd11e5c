import pino, { type Logger, type LoggerOptions } from 'pino';
import type { AppConfig } from '../config/app-config';

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

/** The injection token of the process's one pino logger. */
export const ROOT_LOGGER = Symbol('ROOT_LOGGER');

export function rootLoggerOptions(config: AppConfig): LoggerOptions {
  return {
    level: config.log.level,
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    transport: config.log.pretty
      ? {
          target: 'pino-pretty',
          options: { singleLine: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname' },
        }
      : undefined,
  };
}

/** Structured JSON to stdout (human-readable in development), secrets redacted. */
export const createRootLogger = (config: AppConfig): Logger => pino(rootLoggerOptions(config));
