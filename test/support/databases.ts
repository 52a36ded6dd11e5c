import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { describe, inject } from 'vitest';
import { PgliteTemplate } from './pglite-template';

/** A database that one test file owns: the env that points the app at it, and how to remove it. */
export interface TestDatabase {
  env: Record<string, string>;
  cleanup(): Promise<void>;
}

export interface DatabaseTier {
  name: 'pglite' | 'postgres';
  /** Why the tier cannot run here, or undefined when it can. */
  skipReason: string | undefined;
  create(): Promise<TestDatabase>;
}

const postgresUrl = process.env.TEST_DATABASE_URL;

async function adminQuery(text: string): Promise<void> {
  const client = new pg.Client({ connectionString: postgresUrl, connectionTimeoutMillis: 5_000 });
  await client.connect();
  try {
    await client.query(text);
  } finally {
    await client.end();
  }
}

export const pgliteTier: DatabaseTier = {
  name: 'pglite',
  skipReason: undefined,
  async create() {
    const { dataDir, cleanup } = PgliteTemplate.clone(inject('pgliteTemplateDir'));
    return { env: { DATA_DIR: dataDir }, cleanup: async () => cleanup() };
  },
};

export const postgresTier: DatabaseTier = {
  name: 'postgres',
  skipReason: postgresUrl
    ? undefined
    : 'TEST_DATABASE_URL is not set; run with TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres to include PostgreSQL',
  async create() {
    const name = `test_${randomBytes(6).toString('hex')}`;
    await adminQuery(`create database "${name}"`);
    const url = new URL(postgresUrl as string);
    url.pathname = `/${name}`;
    return {
      env: { DATABASE_URL: url.toString() },
      cleanup: () => adminQuery(`drop database if exists "${name}" with (force)`),
    };
  },
};

export const databaseTiers: readonly DatabaseTier[] = [pgliteTier, postgresTier];

/**
 * Declares the same tests once per database tier. A tier that cannot run here is skipped with a title
 * that says how to enable it.
 */
export function describeEachDatabase(title: string, body: (tier: DatabaseTier) => void): void {
  for (const tier of databaseTiers) {
    const label = tier.skipReason ? `${title} [${tier.name}] (skipped: ${tier.skipReason})` : `${title} [${tier.name}]`;
    describe.skipIf(tier.skipReason !== undefined)(label, () => body(tier));
  }
}
