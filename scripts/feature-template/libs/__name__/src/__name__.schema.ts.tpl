import { sql } from 'drizzle-orm';
import { versionedTimestamps } from '@app/database';
import { check, index, pgTable, text, uuid } from 'drizzle-orm/pg-core';

/** __Title__: each belongs to the user who created it (`owner_id`); admins see every owner's. */
export const __nameCamel__ = pgTable(
  '__table__',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    ownerId: uuid('owner_id').notNull(),
    /** 1–200 characters, trimmed (Create__Singular__Dto). */
    name: text('name').notNull(),
    /** Up to 2000 characters; empty when none was given. */
    note: text('note').notNull().default(''),
    ...versionedTimestamps(),
  },
  (table) => [
    // Keyset lists: an owner's own (the usual list), and an admin's view of every owner's.
    index('__table___owner_created_id_idx').on(
      table.ownerId,
      table.createdAt.desc().nullsFirst(),
      table.id.desc().nullsFirst(),
    ),
    index('__table___created_id_idx').on(table.createdAt.desc().nullsFirst(), table.id.desc().nullsFirst()),
    check('__table___name_length', sql`char_length(${table.name}) between 1 and 200`),
    check('__table___note_length', sql`char_length(${table.note}) <= 2000`),
  ],
);

export type __Singular__Row = typeof __nameCamel__.$inferSelect;
