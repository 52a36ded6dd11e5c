/**
 * The invoice number of an order: stable (the same order always gets the same number, whoever renders it and however
 * often) and derived from the order id alone: `INV-` and the first 12 hex digits of the id, upper case.
 */
export const invoiceNumberOf = (orderId: string): string =>
  `INV-${orderId.replace(/-/g, '').slice(0, 12).toUpperCase()}`;

/** The seller printed on every invoice. */
export const SELLER = {
  name: 'Nest Shop Ltd.',
  address: ['1 Example Street', '1000 Example City'],
  vatId: 'XX000000000',
} as const;
