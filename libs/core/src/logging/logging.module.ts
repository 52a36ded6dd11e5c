import { Global, Module } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import type { Logger } from 'pino';
import { AppConfig } from '../config/app-config';
import { RequestLog } from './request-log';
import { createRootLogger, ROOT_LOGGER } from './root-logger';

/** The process's pino logger, in a module of its own so that nestjs-pino's async factory can inject it. */
@Global()
@Module({
  providers: [{ provide: ROOT_LOGGER, inject: [AppConfig], useFactory: createRootLogger }],
  exports: [ROOT_LOGGER],
})
class RootLoggerModule {}

/**
 * Structured JSON logs through pino, secrets redacted, human-readable in development. Nest's own `Logger` writes
 * through the same pino (nestjs-pino); the one line per request is written by {@link RequestLog} from Fastify's
 * hooks (see configureHttp), so nestjs-pino's per-request middleware is not mounted on any route.
 */
@Module({
  imports: [
    RootLoggerModule,
    LoggerModule.forRootAsync({
      imports: [RootLoggerModule],
      providers: [],
      inject: [ROOT_LOGGER],
      useFactory: (logger: Logger) => ({ pinoHttp: { logger }, forRoutes: [] }),
    }),
  ],
  providers: [{ provide: RequestLog, inject: [ROOT_LOGGER], useFactory: (logger: Logger) => new RequestLog(logger) }],
  exports: [RequestLog],
})
export class LoggingModule {}
