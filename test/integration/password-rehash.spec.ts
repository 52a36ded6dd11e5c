import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { DatabaseClient, rowsOf } from '@app/database';
import { describeEachDatabase, type TestDatabase } from '../support/databases';
import { bootTestApp } from '../support/test-app';

const account = { email: 'rehash@example.com', password: 'a sturdy passphrase 42', name: 'Re Hash' };

async function storedHash(app: Awaited<ReturnType<typeof bootTestApp>>): Promise<string> {
  const rows = rowsOf<{ password_hash: string }>(
    await app.app.get(DatabaseClient).db.execute(sql`select password_hash from users where email = ${account.email}`),
  );
  return rows[0]?.password_hash ?? '';
}

describeEachDatabase('argon2 parameters change', (tier) => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await tier.create();
  });
  afterAll(async () => {
    await db?.cleanup();
  });

  it('rehashes a password at the next login with the new parameters, and the password keeps working', async () => {
    const before = await bootTestApp(db.env);
    try {
      expect((await before.app.inject({ method: 'POST', url: '/v1/auth/register', payload: account })).statusCode).toBe(
        201,
      );
      expect(await storedHash(before)).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    } finally {
      await before.close();
    }

    const after = await bootTestApp({ ...db.env, ARGON2_TIME_COST: '3' });
    try {
      const login = () =>
        after.app.inject({
          method: 'POST',
          url: '/v1/auth/login',
          payload: { email: account.email, password: account.password },
        });
      expect((await login()).statusCode).toBe(200);
      expect(await storedHash(after)).toMatch(/^\$argon2id\$v=19\$m=19456,t=3,p=1\$/);
      expect((await login()).statusCode).toBe(200);
    } finally {
      await after.close();
    }
  });
});
