import type { RedisConnection } from '@app/redis';
import type { CredentialThrottleStore } from './credential-throttle.store';
import type { AttemptVerdict, ThrottlePolicy } from './throttle-policy';

/**
 * The policy of throttle-policy.ts in Lua, so that each call is one atomic round trip shared by every replica.
 * KEYS: the account's failure hash, its trusted-source sorted set (member: IP, score: last success, epoch ms).
 * ARGV: now, failuresBeforeDelay, firstDelayMs, maxDelayMs, windowMs, inFlightMs, trustMs, maxTrustedSources,
 * then the script's own arguments. Times come from the app's clock (so all replicas and the in-memory fallback
 * agree, and tests can move time); key expiry only collects garbage, the stored `expiresAt` decides.
 */
const PRELUDE = `
local now = tonumber(ARGV[1])
local threshold = tonumber(ARGV[2])
local firstDelay = tonumber(ARGV[3])
local maxDelay = tonumber(ARGV[4])
local window = tonumber(ARGV[5])
local inFlightMs = tonumber(ARGV[6])
local trustMs = tonumber(ARGV[7])
local maxSources = tonumber(ARGV[8])

local function delayAfter(failures)
  if failures < threshold then return 0 end
  return math.min(maxDelay, firstDelay * 2 ^ math.min(failures - threshold, 40))
end

local function load()
  local v = redis.call('HMGET', KEYS[1], 'failures', 'blockedUntil', 'inFlight', 'inFlightUntil', 'expiresAt')
  local s = { failures = tonumber(v[1]) or 0, blockedUntil = tonumber(v[2]) or 0, inFlight = tonumber(v[3]) or 0,
    inFlightUntil = tonumber(v[4]) or 0 }
  if now >= (tonumber(v[5]) or 0) then return { failures = 0, blockedUntil = 0, inFlight = 0, inFlightUntil = 0 } end
  if now >= s.inFlightUntil then s.inFlight = 0; s.inFlightUntil = 0 end
  return s
end

local function save(s)
  local expiresAt = math.max(now, s.blockedUntil, s.inFlightUntil) + window
  redis.call('HSET', KEYS[1], 'failures', s.failures, 'blockedUntil', s.blockedUntil, 'inFlight', s.inFlight,
    'inFlightUntil', s.inFlightUntil, 'expiresAt', expiresAt)
  redis.call('PEXPIRE', KEYS[1], expiresAt - now)
end
`;

/** ARGV[9]: source, ARGV[10]: '1' to exempt a trusted source. Returns 0 when let through, else ms to wait. */
const START_ATTEMPT = `${PRELUDE}
local exempt = false
if ARGV[10] == '1' then
  local last = redis.call('ZSCORE', KEYS[2], ARGV[9])
  exempt = last ~= false and now - tonumber(last) < trustMs
end
local s = load()
if not exempt and now < s.blockedUntil then return s.blockedUntil - now end
s.inFlight = s.inFlight + 1
s.inFlightUntil = now + inFlightMs
s.blockedUntil = math.max(s.blockedUntil, now + delayAfter(s.failures + s.inFlight))
save(s)
return 0
`;

/** Returns the failure count. */
const RECORD_FAILURE = `${PRELUDE}
local s = load()
s.failures = s.failures + 1
s.inFlight = math.max(0, s.inFlight - 1)
if s.inFlight == 0 then s.inFlightUntil = 0 end
s.blockedUntil = math.max(s.blockedUntil, now + delayAfter(s.failures))
save(s)
return s.failures
`;

/** ARGV[9]: the source to trust, or '' for none. Keeps the sources trusted within trustMs, newest maxSources. */
const RECORD_SUCCESS = `${PRELUDE}
redis.call('DEL', KEYS[1])
if ARGV[9] ~= '' then
  redis.call('ZADD', KEYS[2], now, ARGV[9])
  redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now - trustMs)
  redis.call('ZREMRANGEBYRANK', KEYS[2], 0, -(maxSources + 1))
  redis.call('PEXPIRE', KEYS[2], trustMs)
end
return 0
`;

/**
 * The state in Redis, shared by every replica. Each call is one EVAL; failures surface as RedisUnavailableError
 * (from {@link RedisConnection.run}), the caller's cue to fall back to memory.
 */
export class RedisCredentialThrottleStore implements CredentialThrottleStore {
  constructor(
    private readonly redis: RedisConnection,
    private readonly policy: ThrottlePolicy,
  ) {}

  async startAttempt(account: string, source: string, exemptIfTrusted: boolean, now: number): Promise<AttemptVerdict> {
    const waitMs = await this.eval(START_ATTEMPT, account, now, [source, exemptIfTrusted ? '1' : '0']);
    return { allowed: waitMs <= 0, retryAfterMs: Math.max(0, waitMs) };
  }

  async recordFailure(account: string, now: number): Promise<void> {
    await this.eval(RECORD_FAILURE, account, now, []);
  }

  async recordSuccess(account: string, source: string | undefined, now: number): Promise<void> {
    await this.eval(RECORD_SUCCESS, account, now, [source ?? '']);
  }

  private async eval(script: string, account: string, now: number, extra: string[]): Promise<number> {
    const { policy } = this;
    // The {hash tag} puts both keys of an account in one slot, as Redis Cluster requires of a script's keys.
    const keys = [
      this.redis.key('credential-throttle', 'failures', `{${account}}`),
      this.redis.key('credential-throttle', 'trusted', `{${account}}`),
    ];
    const args = [
      now,
      policy.failuresBeforeDelay,
      policy.firstDelayMs,
      policy.maxDelayMs,
      policy.windowMs,
      policy.inFlightMs,
      policy.trustMs,
      policy.maxTrustedSources,
    ].map((value) => String(Math.trunc(value)));
    const reply = await this.redis.run('credential_throttle', (client) =>
      client.eval(script, { keys, arguments: [...args, ...extra] }),
    );
    return Number(reply);
  }
}
