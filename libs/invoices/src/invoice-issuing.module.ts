import { Module } from '@nestjs/common';
import { OrderReader } from '@app/orders';
import { UserDirectory } from '@app/users';
import { InvoiceIssuer } from './invoice-issuer';
import { InvoicesRepository } from './invoices.repository';
import { InvoiceRenderer } from './render/invoice-renderer';

/**
 * What makes invoices, for any process: `InvoiceIssuer` with its renderer (one thread pool per process) and the
 * neighbours' query classes it asks (orders' `OrderReader`, users' `UserDirectory`, which need only the database, so
 * the worker imports this without the orders and users features). Needs the platform: config, database.
 */
@Module({
  providers: [OrderReader, UserDirectory, InvoicesRepository, InvoiceRenderer, InvoiceIssuer],
  exports: [InvoiceIssuer],
})
export class InvoiceIssuingModule {}
