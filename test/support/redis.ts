import { randomBytes } from 'node:crypto';
import { createClient } from '@redis/client';
import { freePort } from './processes';

const redisUrl = process.env.TEST_REDIS_URL;

/** Why the Redis tier cannot run here, or undefined when it can. */
export const redisSkipReason: string | undefined = redisUrl
  ? undefined
  : 'TEST_REDIS_URL is not set; run with TEST_REDIS_URL=redis://127.0.0.1:6379 to include Redis';

/** A key namespace on the shared test Redis that one test owns: the app env that selects it, and its removal. */
export interface TestRedis {
  env: { REDIS_URL: string; REDIS_KEY_PREFIX: string };
  /** Keys currently under this namespace (for assertions about what the app wrote). */
  keys(): Promise<string[]>;
  cleanup(): Promise<void>;
}

const connectOnce = () => createClient({ url: redisUrl, socket: { connectTimeout: 2_000, reconnectStrategy: false } });

async function withClient<T>(use: (client: ReturnType<typeof connectOnce>) => Promise<T>): Promise<T> {
  const client = connectOnce();
  client.on('error', () => undefined);
  await client.connect();
  try {
    return await use(client);
  } finally {
    client.destroy();
  }
}

/**
 * A fresh REDIS_KEY_PREFIX on TEST_REDIS_URL: tests share the server but never each other's keys.
 * `cleanup` deletes every key under the prefix.
 */
export function createTestRedis(): TestRedis {
  if (!redisUrl) throw new Error(redisSkipReason);
  const prefix = `test:${randomBytes(6).toString('hex')}:`;
  const keys = (): Promise<string[]> =>
    withClient(async (client) => {
      const found: string[] = [];
      for await (const batch of client.scanIterator({ MATCH: `${prefix}*`, COUNT: 500 })) found.push(...batch);
      return found;
    });
  return {
    env: { REDIS_URL: redisUrl, REDIS_KEY_PREFIX: prefix },
    keys,
    async cleanup() {
      const found = await keys();
      if (found.length > 0) await withClient((client) => client.del(found));
    },
  };
}

/** REDIS_URL at a closed port (connecting fails at once, as when Redis is down), for the in-memory fallbacks. */
export async function unreachableRedisEnv(): Promise<Record<string, string>> {
  return { REDIS_URL: `redis://127.0.0.1:${await freePort()}`, REDIS_CONNECT_TIMEOUT_MS: '200' };
}
