import { resolve } from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  type DatabaseClient,
  defaultMigrationsFolder,
  Migrator,
  openDatabaseClient,
  rowsOf,
  TransactionRunner,
} from '@app/database';
import { describeEachDatabase, postgresTier, type TestDatabase } from '../support/databases';
import { PgliteTemplate } from '../support/pglite-template';
import { bootTestApp } from '../support/test-app';
import { testConfig } from '../support/test-config';

const fixtureMigrations = resolve(__dirname, '..', 'fixtures', 'migrations');

async function count(client: DatabaseClient, query: ReturnType<typeof sql>): Promise<number> {
  return Number(rowsOf<{ n: number | string }>(await client.db.execute(query))[0]?.n);
}

/** An empty database (no migrations applied) for each tier. */
const emptyDatabase = {
  pglite: async (): Promise<TestDatabase> => ({ env: { DATABASE_URL: 'memory://' }, cleanup: async () => undefined }),
  postgres: () => postgresTier.create(),
};

describeEachDatabase('migrations', (tier) => {
  // Each test gets its own empty database: migrations are about what an empty one becomes.
  const databases: TestDatabase[] = [];
  const clients: DatabaseClient[] = [];
  const emptyDb = async () => {
    const db = await emptyDatabase[tier.name]();
    databases.push(db);
    return db;
  };
  const open = async (db: TestDatabase) => {
    const client = await openDatabaseClient(testConfig(db.env));
    clients.push(client);
    return client;
  };

  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close()));
    await Promise.all(databases.splice(0).map((db) => db.cleanup()));
  });

  it('apply the committed migrations to an empty database, and a second run changes nothing', async () => {
    const client = await open(await emptyDb());
    const migrator = new Migrator(client, defaultMigrationsFolder());
    const before = await migrator.status();
    expect(before.applied).toBe(0);
    expect(before.pending).toBeGreaterThan(0);

    await migrator.migrate();
    const after = await migrator.status();
    expect(after).toEqual({ applied: before.pending, pending: 0 });

    await migrator.migrate();
    expect(await migrator.status()).toEqual(after);
  });

  it('are applied once when several instances migrate at the same time', async () => {
    const db = await emptyDb();
    // Separate clients are separate instances (separate pools); PGlite has one client per process.
    const instances = tier.name === 'postgres' ? await Promise.all([open(db), open(db), open(db)]) : [await open(db)];
    const runs = [0, 1, 2].map(
      (i) => new Migrator(instances[i % instances.length] as DatabaseClient, fixtureMigrations),
    );
    await Promise.all(runs.map((m) => m.migrate()));

    const client = instances[0] as DatabaseClient;
    expect(await count(client, sql`select count(*) as n from widgets`)).toBe(2);
    expect(await (runs[0] as Migrator).status()).toMatchObject({ pending: 0 });
  });

  it('readiness is 503 while migrations are pending, and 200 once they are applied', async () => {
    const db = await emptyDb();
    const app = await bootTestApp({ ...db.env, DB_MIGRATE_ON_START: 'false' });
    try {
      const res = await app.app.inject({ method: 'GET', url: '/health/ready' });
      expect(res.statusCode).toBe(503);
      expect(res.json()).toMatchObject({
        checks: { database: { status: 'down', message: expect.stringMatching(/pending/) } },
      });
      await app.app.get(Migrator).migrate();
      expect((await app.app.inject({ method: 'GET', url: '/health/ready' })).statusCode).toBe(200);
    } finally {
      await app.close();
    }
  });
});

describeEachDatabase('transactions', (tier) => {
  let db: TestDatabase;
  let client: DatabaseClient;
  let tx: TransactionRunner;

  beforeAll(async () => {
    db = await tier.create();
    client = await openDatabaseClient(testConfig(db.env));
    tx = new TransactionRunner(client);
    await client.db.execute(
      sql`create table ledger (id serial primary key, amount integer not null check (amount > 0))`,
    );
  });
  afterAll(async () => {
    await client?.close();
    await db?.cleanup();
  });

  it('commit together or not at all', async () => {
    await expect(
      tx.run(async (t) => {
        await t.execute(sql`insert into ledger (amount) values (10)`);
        await t.execute(sql`insert into ledger (amount) values (-1)`); // violates the check
      }),
    ).rejects.toThrow();
    expect(await count(client, sql`select count(*) as n from ledger`)).toBe(0);

    await tx.run(async (t) => {
      await t.execute(sql`insert into ledger (amount) values (10)`);
      await t.execute(sql`insert into ledger (amount) values (20)`);
    });
    expect(await count(client, sql`select coalesce(sum(amount), 0) as n from ledger`)).toBe(30);
  });

  it('re-run the callback after a serialization failure, and give up after the retry budget', async () => {
    let attempts = 0;
    const result = await tx.run(async (t) => {
      attempts++;
      await t.execute(sql`insert into ledger (amount) values (1)`);
      if (attempts < 3) throw Object.assign(new Error('could not serialize access'), { code: '40001' });
      return 'done';
    });
    expect(result).toBe('done');
    expect(attempts).toBe(3);
    expect(await count(client, sql`select count(*) as n from ledger where amount = 1`)).toBe(1);

    let hopeless = 0;
    await expect(
      tx.run(
        async () => {
          hopeless++;
          throw Object.assign(new Error('deadlock detected'), { code: '40P01' });
        },
        { retries: 2 },
      ),
    ).rejects.toThrow('deadlock');
    expect(hopeless).toBe(3);
  });
});

describe('embedded PGlite on disk', () => {
  let dataDir: string;
  let cleanup: () => void;

  beforeAll(() => {
    ({ dataDir, cleanup } = PgliteTemplate.clone(inject('pgliteTemplateDir')));
  });
  afterAll(() => cleanup?.());

  it('keeps its data across a restart of the process’s database', async () => {
    const first = await openDatabaseClient(testConfig({ DATA_DIR: dataDir }));
    await first.db.execute(sql`create table notes (body text not null)`);
    await first.db.execute(sql`insert into notes values ('remember me')`);
    await first.close();

    const second = await openDatabaseClient(testConfig({ DATA_DIR: dataDir }));
    try {
      const rows = rowsOf<{ body: string }>(await second.db.execute(sql`select body from notes`));
      expect(rows).toEqual([{ body: 'remember me' }]);
    } finally {
      await second.close();
    }
  });
});

describe('the embedded database (PGlite)', () => {
  it('runs with 32 MB of shared buffers, not the server default of 128 MB (resident memory)', async () => {
    const client = await openDatabaseClient(testConfig({ DATABASE_URL: 'memory://' }));
    try {
      const [row] = rowsOf<{ shared_buffers: string }>(await client.db.execute(sql`show shared_buffers`));
      expect(row?.shared_buffers).toBe('32MB');
    } finally {
      await client.close();
    }
  });
});
