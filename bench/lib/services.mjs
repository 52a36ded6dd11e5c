// The bench's own PostgreSQL database and Redis key prefix, created for the run and removed afterwards.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient } from '@redis/client';
import pg from 'pg';
import { builtApiDir } from './settings.mjs';
import { runToEnd } from './processes.mjs';

async function adminQuery(serverUrl, text) {
  const client = new pg.Client({ connectionString: serverUrl, connectionTimeoutMillis: 5_000 });
  await client.connect();
  try {
    await client.query(text);
  } finally {
    await client.end();
  }
}

/** Runs the built app's migrate script against `env` (DATABASE_URL or DATA_DIR). */
export async function migrate(env) {
  const cwd = mkdtempSync(join(tmpdir(), 'bench-migrate-'));
  try {
    await runToEnd(process.execPath, [join(builtApiDir, 'migrate.js')], {
      cwd,
      env: { PATH: process.env.PATH ?? '', LOG_LEVEL: 'warn', ...env },
    });
  } finally {
    rmSync(cwd, { recursive: true, force: true });
  }
}

/** A fresh, migrated `bench_<random>` database on the server at `serverUrl`. */
export async function createDatabase(serverUrl) {
  const name = `bench_${randomBytes(6).toString('hex')}`;
  try {
    await adminQuery(serverUrl, `create database "${name}"`);
  } catch (error) {
    throw new Error(`cannot create a database on ${serverUrl} (set BENCH_DATABASE_URL): ${error.message}`);
  }
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const database = {
    name,
    url: url.toString(),
    drop: () => adminQuery(serverUrl, `drop database if exists "${name}" with (force)`),
  };
  try {
    await migrate({ DATABASE_URL: database.url });
  } catch (error) {
    await database.drop();
    throw error;
  }
  return database;
}

/** A fresh, migrated PGlite data directory (the embedded default). */
export async function createPgliteDir() {
  const dir = mkdtempSync(join(tmpdir(), 'bench-pglite-'));
  await migrate({ DATA_DIR: dir });
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A unique REDIS_KEY_PREFIX on `url`; `cleanup` deletes every key under it. Fails early if Redis is down. */
export async function createRedisPrefix(url) {
  const prefix = `bench:${randomBytes(6).toString('hex')}:`;
  const withClient = async (use) => {
    const client = createClient({ url, socket: { connectTimeout: 2_000, reconnectStrategy: false } });
    client.on('error', () => undefined);
    try {
      await client.connect();
    } catch (error) {
      throw new Error(`cannot reach Redis at ${url} (set BENCH_REDIS_URL): ${error.message}`);
    }
    try {
      return await use(client);
    } finally {
      client.destroy();
    }
  };
  await withClient((client) => client.ping());
  return {
    url,
    prefix,
    cleanup: () =>
      withClient(async (client) => {
        let deleted = 0;
        for await (const batch of client.scanIterator({ MATCH: `${prefix}*`, COUNT: 1000 })) {
          const keys = Array.isArray(batch) ? batch : [batch];
          if (keys.length > 0) deleted += await client.del(keys);
        }
        return deleted;
      }),
  };
}
