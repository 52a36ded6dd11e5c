import { type DynamicModule, Global, Module } from '@nestjs/common';
import { APP_FILTER, APP_INTERCEPTOR, APP_PIPE } from '@nestjs/core';
import type { AppConfig } from './config/app-config';
import { AppConfigModule } from './config/config.module';
import { EventStreams } from './http/sse/event-streams';
import { RequestTimeoutInterceptor } from './interceptors/request-timeout.interceptor';
import { LoggingModule } from './logging/logging.module';
import { Metrics } from './metrics/metrics';
import { CursorCodec } from './pagination/cursor-codec';
import type { ProblemMapper } from './problem/problem-mapper';
import { ProblemFilter } from './problem/problem.filter';
import { createValidationPipe } from './validation/validation.pipe';

export interface CoreModuleOptions {
  config: AppConfig;
  /** Translators for errors of platform libs (database, cache…) into problems. */
  problemMappers?: readonly ProblemMapper[];
}

/** Configuration, logging, validation, request timeouts and error presentation: what every request needs. */
@Global()
@Module({})
export class CoreModule {
  static forRoot({ config, problemMappers = [] }: CoreModuleOptions): DynamicModule {
    return {
      module: CoreModule,
      imports: [AppConfigModule.forRoot(config), LoggingModule],
      providers: [
        { provide: APP_PIPE, useFactory: () => createValidationPipe(config.http.jsonLimits) },
        { provide: APP_FILTER, useFactory: () => new ProblemFilter(problemMappers) },
        { provide: APP_INTERCEPTOR, useClass: RequestTimeoutInterceptor },
        CursorCodec,
        Metrics,
        EventStreams,
      ],
      exports: [CursorCodec, Metrics, EventStreams],
    };
  }
}
