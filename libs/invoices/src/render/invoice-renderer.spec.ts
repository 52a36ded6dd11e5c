import { Logger } from '@nestjs/common';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '@app/core';
import { invoiceNumberOf, SELLER } from '../invoice-number';
import type { InvoiceDocument } from './invoice-document';
import { InvoiceRenderer, invoiceTaskFile } from './invoice-renderer';

const sample = (overrides: Partial<InvoiceDocument> = {}): InvoiceDocument => ({
  number: invoiceNumberOf('4b3c2d1e-0f9a-4b8c-9d7e-6f5a4b3c2d1e'),
  issuedAt: '2026-11-29T10:00:00.000Z',
  placedAt: '2026-11-28T09:30:00.000Z',
  orderId: '4b3c2d1e-0f9a-4b8c-9d7e-6f5a4b3c2d1e',
  seller: SELLER,
  customer: { name: 'Zoë Ünicode 🚀', email: 'zoe@example.test' },
  lines: [
    { name: 'Enamel mug', sku: 'MUG-001', quantity: 2, unitPriceCents: 1250, lineTotalCents: 2500 },
    { name: 'Tea', sku: 'TEA-9', quantity: 1, unitPriceCents: 499, lineTotalCents: 499 },
  ],
  totalCents: 2999,
  currency: 'EUR',
  ...overrides,
});

// No application here to take the log lines (pool started, invoice stored).
Logger.overrideLogger(false);

describe('InvoiceRenderer (piscina + pdfkit, in a worker thread)', () => {
  const renderer = new InvoiceRenderer(loadConfig({ INVOICE_RENDER_THREADS: '1' }));
  afterAll(() => renderer.onApplicationShutdown());

  it('renders a PDF from an invoice, the same bytes for the same invoice', async () => {
    const [first, again] = await Promise.all([renderer.render(sample()), renderer.render(sample())]);
    expect(first.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    expect(first.length).toBeGreaterThan(500);
    expect(first.subarray(-6).toString('latin1')).toContain('%%EOF');
    expect(again.equals(first)).toBe(true);
  });

  it('renders many lines over several pages', async () => {
    const lines = Array.from({ length: 60 }, (_, i) => ({
      name: `Product ${i}`,
      sku: `P-${i}`,
      quantity: 1,
      unitPriceCents: 100,
      lineTotalCents: 100,
    }));
    const pdf = await renderer.render(sample({ lines, totalCents: 6000 }));
    expect(pdf.toString('latin1').match(/\/Type \/Page\b/g)?.length).toBeGreaterThan(1);
  });

  it('refuses to render after shutdown', async () => {
    const closed = new InvoiceRenderer(loadConfig({}));
    await closed.onApplicationShutdown();
    await expect(closed.render(sample())).rejects.toThrow(/shut down/);
  });

  it('runs the compiled task (a worker thread cannot load TypeScript)', () => {
    expect(invoiceTaskFile()).toMatch(/dist\/libs\/invoices\/src\/render\/invoice-pdf\.task\.js$/);
  });
});
