import { PGlite } from '@electric-sql/pglite';
import { sql } from 'drizzle-orm';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { drizzle as drizzlePg } from 'drizzle-orm/node-postgres';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { loggableError } from '@app/core';

/** An argon2 hash, as an UPDATE of a password would bind it. */
const SECRET = '$argon2id$v=19$m=19456,t=2,p=1$c2VjcmV0LWhhc2gtdmFsdWU';
const postgresUrl = process.env.TEST_DATABASE_URL;

type Execute = (query: ReturnType<typeof sql>) => Promise<unknown>;

async function failure(execute: Execute): Promise<unknown> {
  // Both a bound parameter and PostgreSQL's own message quote the value.
  return execute(sql`select ${SECRET}::int`).then(
    () => expect.unreachable('the query must fail'),
    (error: unknown) => error,
  );
}

function expectNoSecret(error: unknown): void {
  expect(JSON.stringify(error, Object.getOwnPropertyNames(error))).toContain(SECRET.slice(-12)); // the raw error has it
  const logged = loggableError(error, true);
  expect(JSON.stringify(logged)).not.toContain(SECRET.slice(-12));
  expect(logged[0].message).toBe('Failed query: select $1::int');
  expect(logged.some((entry) => entry.code === '22P02')).toBe(true);
}

describe('error logs never carry query parameters or the values PostgreSQL quotes', () => {
  it('PGlite', async () => {
    const client = new PGlite();
    try {
      expectNoSecret(await failure((query) => drizzlePglite(client).execute(query)));
    } finally {
      await client.close();
    }
  });

  it.skipIf(!postgresUrl)(`PostgreSQL${postgresUrl ? '' : ' (skipped: TEST_DATABASE_URL is not set)'}`, async () => {
    const pool = new pg.Pool({ connectionString: postgresUrl, max: 1 });
    try {
      expectNoSecret(await failure((query) => drizzlePg(pool).execute(query)));
    } finally {
      await pool.end();
    }
  });
});
