import { type DynamicModule, Module, type Type } from '@nestjs/common';
import { AppConfig, CoreModule } from '@app/core';
import { DatabaseModule, databaseProblemMapper } from '@app/database';
import { EventInboxModule } from '@app/events';
import { InvoiceIssuingModule } from '@app/invoices';
import { NatsModule } from '@app/nats';
import { UserDirectory } from '@app/users';
import { JobRunner } from './consumers/job-runner';
import { ProbeServer } from './http/probe-server';
import { InvoicesJob } from './jobs/invoices.job';
import { OrderNotificationsJob } from './jobs/order-notifications.job';
import { WORKER_JOBS, type WorkerJob } from './jobs/worker-job';
import { Mailer, mailerFactory } from './mail/mailer';

/** The jobs production runs. */
export const DEFAULT_JOBS: ReadonlyArray<Type<WorkerJob>> = [OrderNotificationsJob, InvoicesJob];

/**
 * The worker's composition root: the platform (config, logs, metrics, database, NATS), the features' query classes its
 * jobs ask (users' `UserDirectory`, which needs only the database: not the whole `UsersModule`, whose auth and event
 * bus the worker does not run), invoices' `InvoiceIssuingModule` (the issuer and its PDF thread pool, without the
 * invoices' HTTP route), the mailer, the jobs and their runner. The events lib's inbox alone (`EventInboxModule`), not
 * `EventsModule`: its in-process dispatcher and relay belong to the API.
 */
@Module({})
export class WorkerModule {
  static forRoot(config: AppConfig, jobs: ReadonlyArray<Type<WorkerJob>> = DEFAULT_JOBS): DynamicModule {
    return {
      module: WorkerModule,
      imports: [
        CoreModule.forRoot({ config, problemMappers: [databaseProblemMapper] }),
        DatabaseModule.forRoot(),
        NatsModule,
        EventInboxModule,
        InvoiceIssuingModule,
      ],
      providers: [
        UserDirectory,
        { provide: Mailer, inject: [AppConfig], useFactory: mailerFactory },
        ...jobs,
        { provide: WORKER_JOBS, inject: [...jobs], useFactory: (...instances: WorkerJob[]) => instances },
        JobRunner,
        ProbeServer,
      ],
    };
  }
}
