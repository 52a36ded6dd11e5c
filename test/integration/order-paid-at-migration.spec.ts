import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DatabaseClient, defaultMigrationsFolder, Migrator, openDatabaseClient, rowsOf } from '@app/database';
import { testConfig } from '../support/test-config';

const MIGRATION = '0006_order_paid_at';
const ALICE = '11111111-1111-4111-8111-111111111111';
const ids = {
  pending: 'a0000000-0000-4000-8000-000000000001',
  paid: 'a0000000-0000-4000-8000-000000000002',
  shippedNoEvent: 'a0000000-0000-4000-8000-000000000003',
  cancelledAfterPayment: 'a0000000-0000-4000-8000-000000000004',
  cancelledUnpaid: 'a0000000-0000-4000-8000-000000000005',
};
const PAID_AT = '2026-11-01T10:00:00.000Z';
const CANCELLED_PAID_AT = '2026-11-02T10:00:00.000Z';
const UPDATED_AT = '2026-11-05T10:00:00.000Z';

/** The committed migrations before `tag`, as a folder of their own (drizzle reads the journal and the SQL files). */
function migrationsBefore(tag: string): string {
  const source = defaultMigrationsFolder();
  const journal = JSON.parse(readFileSync(join(source, 'meta', '_journal.json'), 'utf8')) as {
    entries: { tag: string }[];
  };
  const index = journal.entries.findIndex((entry) => entry.tag === tag);
  if (index < 0) throw new Error(`no migration ${tag}`);
  const folder = mkdtempSync(join(tmpdir(), 'migrations-'));
  mkdirSync(join(folder, 'meta'));
  const entries = journal.entries.slice(0, index);
  for (const entry of entries) copyFileSync(join(source, `${entry.tag}.sql`), join(folder, `${entry.tag}.sql`));
  writeFileSync(join(folder, 'meta', '_journal.json'), JSON.stringify({ ...journal, entries }));
  return folder;
}

/** An upgrade, not a fresh database: orders that were paid before `orders.paid_at` existed get a payment time. */
describe(`migration ${MIGRATION} [pglite]`, () => {
  let client: DatabaseClient;
  let before: string;

  beforeAll(async () => {
    before = migrationsBefore(MIGRATION);
    client = await openDatabaseClient(testConfig({ DATABASE_URL: 'memory://' }));
    await new Migrator(client, before).migrate();
    const order = (id: string, status: string) =>
      sql`(${id}, ${ALICE}, ${status}, 100, 'EUR', ${UPDATED_AT}::timestamptz)`;
    await client.db.execute(sql`insert into orders (id, user_id, status, total_cents, currency, updated_at) values
      ${order(ids.pending, 'pending')}, ${order(ids.paid, 'paid')}, ${order(ids.shippedNoEvent, 'shipped')},
      ${order(ids.cancelledAfterPayment, 'cancelled')}, ${order(ids.cancelledUnpaid, 'cancelled')}`);
    const paidEvent = (position: number, orderId: string, at: string) =>
      sql`(${position}, gen_random_uuid(), 'order.status-changed', 1, 'order', ${orderId},
        ${JSON.stringify({ orderId, userId: ALICE, status: 'paid', from: 'pending', version: 2 })}::jsonb,
        ${at}::timestamptz)`;
    await client.db.execute(sql`insert into outbox_events
      (position, id, name, version, aggregate_type, aggregate_id, payload, occurred_at) values
      ${paidEvent(1, ids.paid, PAID_AT)}, ${paidEvent(2, ids.cancelledAfterPayment, CANCELLED_PAID_AT)}`);
    await new Migrator(client, defaultMigrationsFolder()).migrate();
  }, 60_000);
  afterAll(async () => {
    await client?.close();
    if (before) rmSync(before, { recursive: true, force: true });
  });

  it('takes the time of the paid event where the outbox has it, else the last change of a paid order', async () => {
    const rows = rowsOf<{ id: string; paid_at: string | null }>(
      await client.db.execute(sql`select id, paid_at::text from orders`),
    );
    const paidAt = Object.fromEntries(rows.map((row) => [row.id, row.paid_at && new Date(row.paid_at).toISOString()]));
    expect(paidAt).toEqual({
      [ids.pending]: null,
      [ids.paid]: PAID_AT,
      [ids.shippedNoEvent]: UPDATED_AT,
      [ids.cancelledAfterPayment]: CANCELLED_PAID_AT,
      [ids.cancelledUnpaid]: null,
    });
  });
});
