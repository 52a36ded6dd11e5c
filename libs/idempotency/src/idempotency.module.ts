import { Module } from '@nestjs/common';
import { APP_INTERCEPTOR } from '@nestjs/core';
import { IdempotencyKeysRepository } from './idempotency-keys.repository';
import { IdempotencyInterceptor } from './idempotency.interceptor';
import { IdempotencyService } from './idempotency.service';

/**
 * `Idempotency-Key` support for routes marked `@Idempotent()`, stored in PostgreSQL (`idempotency_keys`).
 * Import it once in the app module, after CoreModule, DatabaseModule and AuthModule: its interceptor is
 * global, but acts only on decorated routes.
 */
@Module({
  providers: [
    IdempotencyKeysRepository,
    IdempotencyService,
    { provide: APP_INTERCEPTOR, useClass: IdempotencyInterceptor },
  ],
  exports: [IdempotencyService],
})
export class IdempotencyModule {}
