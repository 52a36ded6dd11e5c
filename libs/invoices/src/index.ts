export { InvoicesModule } from './invoices.module';
export { InvoiceIssuingModule } from './invoice-issuing.module';
export { InvoiceIssuer, type PaidOrder } from './invoice-issuer';
export { invoiceNumberOf } from './invoice-number';
