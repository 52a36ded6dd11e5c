import { eq, sql } from 'drizzle-orm';
import { integer, pgTable, serial, text, timestamp } from 'drizzle-orm/pg-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type DatabaseClient, openDatabaseClient, PreparedStatement, TransactionHost } from '@app/database';
import { describeEachDatabase, type TestDatabase } from '../support/databases';
import { testConfig } from '../support/test-config';

/**
 * PreparedStatement runs SQL built once on whichever executor it is given. It leans on drizzle internals
 * (`db._.session.prepareQuery` and the fields of its prepared queries), so this is where an upgrade that moves
 * them fails: on both drivers, on the root handle and inside a transaction, with drizzle's row mapping.
 */
const notes = pgTable('prepared_notes', {
  id: serial('id').primaryKey(),
  ownerName: text('owner_name').notNull(),
  amount: integer('amount').notNull(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
});
type Note = typeof notes.$inferSelect;

const INSERT = new PreparedStatement<Note[], { ownerName: string; amount: number }>('test_notes_insert', (db) =>
  db
    .insert(notes)
    .values({ ownerName: sql.placeholder('ownerName'), amount: sql.placeholder('amount') })
    .returning(),
);
const BY_OWNER = new PreparedStatement<Note[], { ownerName: string }>('test_notes_by_owner', (db) =>
  db
    .select()
    .from(notes)
    .where(eq(notes.ownerName, sql.placeholder('ownerName'))),
);

describeEachDatabase('PreparedStatement', (tier) => {
  let db: TestDatabase;
  let client: DatabaseClient;
  let host: TransactionHost;

  beforeAll(async () => {
    db = await tier.create();
    client = await openDatabaseClient(testConfig(db.env));
    host = new TransactionHost(client);
    await client.db.execute(
      sql`create table prepared_notes (id serial primary key, owner_name text not null, amount integer not null, created_at timestamptz not null default now())`,
    );
  });
  afterAll(async () => {
    await client?.close();
    await db?.cleanup();
  });

  it('binds its values and maps rows as drizzle does (camelCase keys, Date columns)', async () => {
    const [note] = await INSERT.execute(client.db, { ownerName: 'ada', amount: 3 });
    expect(note).toMatchObject({ ownerName: 'ada', amount: 3 });
    expect(note?.createdAt).toBeInstanceOf(Date);
    expect(await BY_OWNER.execute(client.db, { ownerName: 'ada' })).toEqual([note]);
    expect(await BY_OWNER.execute(client.db, { ownerName: "ada' or '1'='1" })).toEqual([]);
  });

  it('runs inside the ambient transaction: sees its uncommitted rows, and they go with a rollback', async () => {
    await expect(
      host.withTransaction(async () => {
        const t = host.tx;
        await INSERT.execute(t, { ownerName: 'grace', amount: 1 });
        await INSERT.execute(t, { ownerName: 'grace', amount: 2 });
        expect((await BY_OWNER.execute(t, { ownerName: 'grace' })).map((n) => n.amount)).toEqual([1, 2]);
        throw new Error('roll back');
      }),
    ).rejects.toThrow('roll back');
    expect(await BY_OWNER.execute(client.db, { ownerName: 'grace' })).toEqual([]);

    // Many transactions at once, each on its own pooled connection (PostgreSQL) or in turn (PGlite).
    await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        host.withTransaction(async () => {
          const t = host.tx;
          await INSERT.execute(t, { ownerName: 'linus', amount: i + 1 });
          return BY_OWNER.execute(t, { ownerName: 'linus' });
        }),
      ),
    );
    const amounts = (await BY_OWNER.execute(client.db, { ownerName: 'linus' })).map((n) => n.amount);
    expect(amounts.sort((a, b) => a - b)).toEqual(Array.from({ length: 12 }, (_, i) => i + 1));
  });
});
