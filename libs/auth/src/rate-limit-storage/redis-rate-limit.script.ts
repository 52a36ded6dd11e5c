import { createHash } from 'node:crypto';
import type { ThrottlerStorage } from '@nestjs/throttler';

/** What a storage answers for one hit (the package does not export the name). */
export type ThrottlerStorageRecord = Awaited<ReturnType<ThrottlerStorage['increment']>>;
import type { RedisClient } from '@app/redis';

/**
 * One atomic step of a fixed-window limit with blocking, the semantics of @nestjs/throttler's in-memory
 * storage: the first `limit` hits of a window pass; the next one blocks the key for `blockDuration`, and
 * the count starts again once the block ends. KEYS: hits, block. ARGV: ttl ms, limit, blockDuration ms.
 * Returns { hits, window ms left, blocked 0|1, block ms left }.
 */
const INCREMENT = `
local blockLeft = redis.call('PTTL', KEYS[2])
if blockLeft > 0 then
  return { tonumber(ARGV[2]) + 1, blockLeft, 1, blockLeft }
end
local hits = redis.call('INCR', KEYS[1])
local windowLeft = redis.call('PTTL', KEYS[1])
if windowLeft < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  windowLeft = tonumber(ARGV[1])
end
if hits > tonumber(ARGV[2]) then
  redis.call('SET', KEYS[2], '1', 'PX', ARGV[3])
  redis.call('DEL', KEYS[1])
  return { hits, windowLeft, 1, tonumber(ARGV[3]) }
end
return { hits, windowLeft, 0, 0 }
`;

const INCREMENT_SHA1 = createHash('sha1').update(INCREMENT).digest('hex');

const seconds = (ms: number): number => Math.max(0, Math.ceil(ms / 1000));

/**
 * Counts one hit on `key` (prefixed, and carrying a `{hash tag}` so that its block key shares its slot) in
 * Redis: one round trip, atomic across replicas.
 */
export async function incrementInRedis(
  client: RedisClient,
  key: string,
  ttl: number,
  limit: number,
  blockDuration: number,
): Promise<ThrottlerStorageRecord> {
  const options = {
    keys: [key, `${key}:block`],
    arguments: [String(ttl), String(limit), String(Math.max(1, blockDuration))],
  };
  // By digest: the script text is sent only when this Redis has not seen it yet (a restart, a failover).
  const reply = (await client.evalSha(INCREMENT_SHA1, options).catch((error: unknown) => {
    if (error instanceof Error && error.message.startsWith('NOSCRIPT')) return client.eval(INCREMENT, options);
    throw error;
  })) as [number, number, number, number];
  const [totalHits, windowLeft, blocked, blockLeft] = reply.map(Number);
  return {
    totalHits,
    timeToExpire: seconds(windowLeft),
    isBlocked: blocked === 1,
    timeToBlockExpire: seconds(blockLeft),
  };
}
