import { describe, expect, it } from 'vitest';
import { invoiceETag, matchesIfNoneMatch } from './invoice-etag';
import { invoiceNumberOf } from './invoice-number';

describe('invoice number and ETag', () => {
  it('derives a stable number from the order id', () => {
    expect(invoiceNumberOf('4b3c2d1e-0f9a-4b8c-9d7e-6f5a4b3c2d1e')).toBe('INV-4B3C2D1E0F9A');
    expect(invoiceNumberOf('4B3C2D1E-0F9A-4B8C-9D7E-6F5A4B3C2D1E')).toBe('INV-4B3C2D1E0F9A');
  });

  it('matches If-None-Match weakly, in a list, or *', () => {
    const etag = invoiceETag('a'.repeat(64));
    expect(matchesIfNoneMatch(etag, etag)).toBe(true);
    expect(matchesIfNoneMatch(`"v1", W/${etag}`, etag)).toBe(true);
    expect(matchesIfNoneMatch('*', etag)).toBe(true);
    expect(matchesIfNoneMatch(invoiceETag('b'.repeat(64)), etag)).toBe(false);
    expect(matchesIfNoneMatch(undefined, etag)).toBe(false);
  });
});
