import { type DynamicModule, Module, type ModuleMetadata } from '@nestjs/common';
import { type AppConfig, CoreModule } from '@app/core';
import { DatabaseModule, databaseProblemMapper } from '@app/database';
import { AuthModule } from '@app/auth';
import { CacheModule } from '@app/cache';
import { RedisModule } from '@app/redis';
import { CatalogModule } from '@app/catalog';
import { EventsModule } from '@app/events';
import { HealthModule } from '@app/health';
import { NatsModule } from '@app/nats';
import { IdempotencyModule } from '@app/idempotency';
import { InvoicesModule } from '@app/invoices';
import { OrdersModule } from '@app/orders';
import { ReviewsModule } from '@app/reviews';
import { UsersModule } from '@app/users';

/** The composition root: platform modules first, then the features. Nothing else lives here. */
@Module({})
export class AppModule {
  /** `extraImports` lets tests add fixture modules to the real graph; production passes none. */
  static forRoot(config: AppConfig, extraImports: NonNullable<ModuleMetadata['imports']> = []): DynamicModule {
    return {
      module: AppModule,
      imports: [
        CoreModule.forRoot({ config, problemMappers: [databaseProblemMapper] }),
        DatabaseModule.forRoot(),
        EventsModule,
        RedisModule,
        NatsModule,
        CacheModule,
        AuthModule.forRoot({ imports: [UsersModule] }),
        IdempotencyModule,
        HealthModule,
        UsersModule,
        CatalogModule,
        OrdersModule,
        ReviewsModule,
        InvoicesModule,
        ...extraImports,
      ],
    };
  }
}
