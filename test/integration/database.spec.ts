import { resolve } from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  type DatabaseClient,
  defaultMigrationsFolder,
  Migrator,
  openDatabaseClient,
  rowsOf,
  openTransactionScopes,
  TransactionHost,
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
  let host: TransactionHost;
  const insert = (amount: number) => host.tx.execute(sql`insert into ledger (amount) values (${amount})`);
  const total = async (executor = client.db) =>
    Number(rowsOf<{ n: string }>(await executor.execute(sql`select coalesce(sum(amount), 0) as n from ledger`))[0]?.n);

  beforeAll(async () => {
    db = await tier.create();
    client = await openDatabaseClient(testConfig(db.env));
    host = new TransactionHost(client);
    await client.db.execute(
      sql`create table ledger (id serial primary key, amount integer not null check (amount > 0))`,
    );
  });
  afterEach(async () => {
    expect(openTransactionScopes()).toBe(0);
    await client.db.execute(sql`delete from ledger`);
  });
  afterAll(async () => {
    await client?.close();
    await db?.cleanup();
  });

  it('commit together or not at all', async () => {
    await expect(
      host.withTransaction(async () => {
        await insert(10);
        await insert(-1); // violates the check
      }),
    ).rejects.toThrow();
    expect(await total()).toBe(0);

    await host.withTransaction(async () => {
      await insert(10);
      await insert(20);
    });
    expect(await total()).toBe(30);
  });

  it('is ambient: calls made anywhere inside see the transaction, even through helpers and timers', async () => {
    const deep = async () => {
      await new Promise((resolve) => setTimeout(resolve, 1));
      await insert(5);
      return total(host.tx);
    };
    await expect(
      host.withTransaction(async () => {
        expect(host.isTransactionActive()).toBe(true);
        await insert(1);
        const [inside] = await Promise.all([deep(), Promise.resolve()]);
        expect(inside).toBe(6); // its own uncommitted rows
        throw new Error('roll back');
      }),
    ).rejects.toThrow('roll back');
    expect(await total()).toBe(0);
    expect(host.isTransactionActive()).toBe(false);
    expect(host.tx).toBe(client.db);
  });

  it('keeps concurrent transactions apart', async () => {
    const results = await Promise.all(
      [1, 2, 3, 4, 5, 6].map((amount) =>
        host.withTransaction(async () => {
          await insert(amount);
          await new Promise((resolve) => setTimeout(resolve, 2));
          return rowsOf<{ amount: number }>(await host.tx.execute(sql`select amount from ledger`)).map((r) => r.amount);
        }),
      ),
    );
    // Each sees its own row (PostgreSQL runs them on their own connections, PGlite in turn).
    results.forEach((seen, i) => expect(seen).toContain(i + 1));
    expect(await total()).toBe(21);
  });

  it('a nested transaction is a savepoint: its failure rolls back only its own work', async () => {
    await host.withTransaction(async () => {
      await insert(1);
      await expect(
        host.withTransaction(async () => {
          await insert(2);
          await insert(-1);
        }),
      ).rejects.toThrow();
      await host.withTransaction(() => insert(4));
      expect(await total(host.tx)).toBe(5);
    });
    expect(await total()).toBe(5);
  });

  it('runs after-commit hooks once, after the commit, and never after a rollback', async () => {
    const seen: number[] = [];
    await host.withTransaction(async () => {
      await insert(7);
      await host.afterCommit(async () => seen.push(await total()));
      await host.withTransaction(async () => {
        await host.afterCommit(() => seen.push(-1));
      });
      expect(seen).toEqual([]);
    });
    expect(seen).toEqual([7, -1]);

    await expect(
      host.withTransaction(async () => {
        await host.afterCommit(() => seen.push(99));
        await host
          .withTransaction(async () => {
            await host.afterCommit(() => seen.push(98));
            throw new Error('savepoint fails');
          })
          .catch(() => undefined);
        throw new Error('outer fails');
      }),
    ).rejects.toThrow('outer fails');
    await host.withTransaction(async () => {
      await host
        .withTransaction(async () => {
          await host.afterCommit(() => seen.push(97));
          throw new Error('savepoint fails');
        })
        .catch(() => undefined);
      await host.afterCommit(() => {
        throw new Error('a failing hook is logged, not thrown');
      });
    });
    expect(seen).toEqual([7, -1]);

    await host.afterCommit(() => seen.push(0)); // outside a transaction: at once
    expect(seen).toEqual([7, -1, 0]);
  });

  it('never lets work that outlives its transaction join it', async () => {
    let late: Promise<unknown> | undefined;
    await host.withTransaction(async () => {
      await insert(3);
      late = new Promise((resolve) => setTimeout(resolve, 20)).then(() => ({
        active: host.isTransactionActive(),
        executor: host.tx,
      }));
    });
    expect(await late).toEqual({ active: false, executor: client.db });
  });

  it('re-run the callback after a serialization failure, and give up after the retry budget', async () => {
    let attempts = 0;
    const result = await host.withTransaction(async () => {
      attempts++;
      await insert(1);
      if (attempts < 3) throw Object.assign(new Error('could not serialize access'), { code: '40001' });
      return 'done';
    });
    expect(result).toBe('done');
    expect(attempts).toBe(3);
    expect(await count(client, sql`select count(*) as n from ledger where amount = 1`)).toBe(1);

    let hopeless = 0;
    await expect(
      host.withTransaction(
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
