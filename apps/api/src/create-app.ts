import type { ModuleMetadata } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Logger } from 'nestjs-pino';
import { type AppConfig, configureHttp, createFastifyAdapter } from '@app/core';
import { AppModule } from './app.module';
import { buildOpenApiDocument } from './openapi/openapi-document';
import { setupDocs } from './openapi/setup-docs';

/** Builds the application exactly as production runs it; `main.ts` listens, tests inject or listen. */
export interface CreateAppOptions {
  /** Extra modules (test fixtures). */
  imports?: NonNullable<ModuleMetadata['imports']>;
}

export async function createApp(config: AppConfig, options: CreateAppOptions = {}): Promise<NestFastifyApplication> {
  const module = AppModule.forRoot(config, options.imports);
  const app = await NestFactory.create<NestFastifyApplication>(module, createFastifyAdapter(config), {
    bufferLogs: true,
    bodyParser: false,
    abortOnError: false,
  });
  app.useLogger(app.get(Logger));
  app.flushLogs();
  configureHttp(app);
  // The OpenAPI document and Swagger UI (DOCS_ENABLED; off by default in production): /docs, /docs/openapi.json.
  if (config.http.docsEnabled) setupDocs(app, () => buildOpenApiDocument(app));
  app.enableShutdownHooks(['SIGTERM', 'SIGINT'], { useProcessExit: true });
  return app;
}
