import { Module } from '@nestjs/common';
import { AppConfig } from '@app/core';
import { OrderReader } from '@app/orders';
import { InvoiceIssuer } from './invoice-issuer';
import { InvoiceIssuingModule } from './invoice-issuing.module';
import { InvoicesController } from './invoices.controller';
import { InvoicesRepository } from './invoices.repository';
import { InvoicesService } from './invoices.service';
import { InvoicesSubscriber } from './invoices.subscriber';

/**
 * Invoice PDFs of paid orders: `GET /v1/orders/{id}/invoice`. Who makes them: with NATS_URL the worker (its
 * `invoices` job); without it nothing else would, so the API subscribes to `order.status-changed` itself. The
 * subscriber is a provider only then (`null` otherwise, which the event subscriptions skip): with NATS_URL no delivery
 * is ever recorded for it.
 */
@Module({
  imports: [InvoiceIssuingModule],
  controllers: [InvoicesController],
  providers: [
    InvoicesRepository,
    OrderReader,
    InvoicesService,
    {
      provide: InvoicesSubscriber,
      inject: [AppConfig, InvoiceIssuer],
      useFactory: (config: AppConfig, issuer: InvoiceIssuer): InvoicesSubscriber | null =>
        config.nats.url === undefined ? new InvoicesSubscriber(issuer) : null,
    },
  ],
})
export class InvoicesModule {}
