import { sql } from 'drizzle-orm';
import { Logger } from '@nestjs/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '@app/core';
import {
  type DatabaseClient,
  defaultMigrationsFolder,
  Migrator,
  openDatabaseClient,
  rowsOf,
  TransactionHost,
} from '@app/database';
import { OrderReader } from '@app/orders';
import { UserDirectory } from '@app/users';
import { InvoiceIssuer } from './invoice-issuer';
import { InvoicesRepository } from './invoices.repository';
import { InvoiceRenderer } from './render/invoice-renderer';

const USER = '11111111-1111-4111-8111-111111111111';
const ORDER = '33333333-3333-4333-8333-333333333333';
const PRODUCT = '44444444-4444-4444-8444-444444444444';

/** On a real (in-memory PGlite) database with the app's migrations, rendering in a real worker thread. */
// No application here to take the log lines (pool started, invoice stored).
Logger.overrideLogger(false);

describe('InvoiceIssuer', () => {
  let client: DatabaseClient;
  let renderer: InvoiceRenderer;
  let issuer: InvoiceIssuer;

  beforeAll(async () => {
    client = await openDatabaseClient(loadConfig({ DATABASE_URL: 'memory://' }));
    await new Migrator(client, defaultMigrationsFolder()).migrate();
    const host = new TransactionHost(client);
    renderer = new InvoiceRenderer(loadConfig({}));
    issuer = new InvoiceIssuer(new OrderReader(host), new UserDirectory(host), renderer, new InvoicesRepository(host));
    await client.db.execute(
      sql`insert into users (id, email, name, password_hash) values (${USER}, 'ada@example.test', 'Ada', 'x')`,
    );
    await client.db.execute(
      sql`insert into orders (id, user_id, status, total_cents, currency) values (${ORDER}, ${USER}, 'paid', 2500, 'EUR')`,
    );
    await client.db.execute(sql`insert into order_items
      (order_id, line_no, product_id, sku, name, unit_price_cents, quantity, line_total_cents)
      values (${ORDER}, 1, ${PRODUCT}, 'MUG-001', 'Enamel mug', 1250, 2, 2500)`);
  }, 60_000);
  afterAll(async () => {
    await renderer?.onApplicationShutdown();
    await client?.close();
  });

  const stored = async () =>
    rowsOf<{ user_id: string; number: string; size_bytes: number; sha256: string; pdf: Uint8Array }>(
      await client.db.execute(
        sql`select user_id, number, size_bytes, sha256, pdf from invoices where order_id = ${ORDER}`,
      ),
    );

  it('stores one invoice per order, however often and however concurrently it is issued', async () => {
    const paidAt = new Date('2026-11-29T10:00:00Z');
    const results = await Promise.all([1, 2, 3].map(() => issuer.issue({ orderId: ORDER, paidAt })));
    expect(results.filter(Boolean)).toHaveLength(1);
    expect(await issuer.issue({ orderId: ORDER, paidAt })).toBe(false);
    expect(await issuer.render({ orderId: ORDER, paidAt })).toBeUndefined(); // no render once it exists

    const rows = await stored();
    expect(rows).toHaveLength(1);
    const [row] = rows;
    expect(row).toMatchObject({ user_id: USER, number: 'INV-333333333333' });
    const pdf = Buffer.from(row!.pdf);
    expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    expect(row!.size_bytes).toBe(pdf.length);
  });

  it('refuses an order that does not exist (so that the job is retried, then dead-lettered)', async () => {
    await expect(issuer.issue({ orderId: PRODUCT, paidAt: new Date() })).rejects.toThrow(/No order/);
  });
});
