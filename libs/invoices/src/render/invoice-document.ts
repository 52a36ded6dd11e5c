/**
 * What the PDF task draws: plain data only (strings and numbers), so that it crosses to a worker thread as a
 * structured clone. Amounts are integer minor units.
 */
export interface InvoiceDocument {
  number: string;
  /** ISO 8601: the invoice's date (when the order was paid). */
  issuedAt: string;
  /** ISO 8601. */
  placedAt: string;
  orderId: string;
  seller: { name: string; address: readonly string[]; vatId: string };
  customer: { name: string; email: string };
  lines: ReadonlyArray<{ name: string; sku: string; quantity: number; unitPriceCents: number; lineTotalCents: number }>;
  totalCents: number;
  currency: string;
}

/** `1234` `EUR` → `12.34 EUR` (every currency this shop sells in has two decimals). */
export const money = (cents: number, currency: string): string => `${(cents / 100).toFixed(2)} ${currency}`;

/** `2026-11-29T18:00:00.000Z` → `2026-11-29` (UTC). */
export const day = (iso: string): string => iso.slice(0, 10);
