import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '@app/core';
import {
  type DatabaseClient,
  defaultMigrationsFolder,
  Migrator,
  openDatabaseClient,
  TransactionHost,
} from '@app/database';
import { OrderReader } from './order-reader';

const ALICE = '11111111-1111-4111-8111-111111111111';
const BOB = '22222222-2222-4222-8222-222222222222';
const ORDER = '33333333-3333-4333-8333-333333333333';
const PRODUCT = '44444444-4444-4444-8444-444444444444';
const NEVER_PAID = '55555555-5555-4555-8555-555555555555';
const PAID_THEN_CANCELLED = '66666666-6666-4666-8666-666666666666';

/** On a real (in-memory PGlite) database with the app's migrations: what the invoices feature reads of an order. */
describe('OrderReader', () => {
  let client: DatabaseClient;
  let reader: OrderReader;

  beforeAll(async () => {
    client = await openDatabaseClient(loadConfig({ DATABASE_URL: 'memory://' }));
    await new Migrator(client, defaultMigrationsFolder()).migrate();
    reader = new OrderReader(new TransactionHost(client));
    await client.db.execute(
      sql`insert into orders (id, user_id, status, total_cents, currency, paid_at) values
        (${ORDER}, ${ALICE}, 'paid', 2999, 'EUR', now()),
        (${NEVER_PAID}, ${ALICE}, 'cancelled', 100, 'EUR', null),
        (${PAID_THEN_CANCELLED}, ${ALICE}, 'cancelled', 100, 'EUR', now())`,
    );
    await client.db.execute(sql`insert into order_items
      (order_id, line_no, product_id, sku, name, unit_price_cents, quantity, line_total_cents) values
      (${ORDER}, 2, ${PRODUCT}, 'TEA-9', 'Tea', 499, 1, 499),
      (${ORDER}, 1, ${PRODUCT}, 'MUG-001', 'Enamel mug', 1250, 2, 2500)`);
  }, 60_000);
  afterAll(() => client?.close());

  it('reads an order with its lines in line order, whoever owns it', async () => {
    const data = await reader.invoiceDataOf(ORDER);
    expect(data).toMatchObject({ orderId: ORDER, userId: ALICE, status: 'paid', totalCents: 2999, currency: 'EUR' });
    expect(data?.placedAt).toBeInstanceOf(Date);
    expect(data?.lines.map((line) => [line.sku, line.quantity, line.unitPriceCents, line.lineTotalCents])).toEqual([
      ['MUG-001', 2, 1250, 2500],
      ['TEA-9', 1, 499, 499],
    ]);
    expect(await reader.invoiceDataOf(PRODUCT)).toBeUndefined();
  });

  it("tells the order's status to its owner and to admins only", async () => {
    const paid = { userId: ALICE, status: 'paid', paid: true };
    expect(await reader.statusFor(ORDER, { userId: ALICE, isAdmin: false })).toEqual(paid);
    expect(await reader.statusFor(ORDER, { userId: BOB, isAdmin: true })).toEqual(paid);
    expect(await reader.statusFor(ORDER, { userId: BOB, isAdmin: false })).toBeUndefined();
  });

  it('tells a cancelled order that was paid first from one that never was', async () => {
    const alice = { userId: ALICE, isAdmin: false };
    expect(await reader.statusFor(NEVER_PAID, alice)).toEqual({ userId: ALICE, status: 'cancelled', paid: false });
    expect(await reader.statusFor(PAID_THEN_CANCELLED, alice)).toEqual({
      userId: ALICE,
      status: 'cancelled',
      paid: true,
    });
  });
});
