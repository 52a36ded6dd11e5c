import { createHash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { AppConfig } from '@app/core';
import { RedisConnection, RedisUnavailableError } from '@app/redis';
import type { CredentialThrottleStore } from './credential-throttle.store';
import { MemoryCredentialThrottleStore } from './memory-credential-throttle.store';
import { RedisCredentialThrottleStore } from './redis-credential-throttle.store';
import { ThrottleClock } from './throttle-clock';
import { throttlePolicy } from './throttle-policy';
import { tooManyFailedAttempts } from './too-many-failed-attempts.problem';

export interface CredentialCheckOptions {
  /**
   * Let a source (IP) that logged in to the account within the last 30 days through even while the account must
   * wait. Default true: an attacker elsewhere cannot lock the user out of their usual network. Turn it off where
   * the caller is signed in already (confirming the current password): waiting costs the user nothing there, and
   * a stolen token used from the user's own network would otherwise guess without delay.
   */
  exemptTrustedSource?: boolean;
}

/**
 * Throttles failed password checks per account, across every client IP (the per-IP rate limits cannot see an
 * attack spread over many addresses). Up to CREDENTIAL_FAILURES_BEFORE_DELAY failures nothing changes; beyond,
 * each attempt must wait a delay doubling from 1 s up to CREDENTIAL_MAX_DELAY_SECONDS, and a refused attempt
 * costs no password hashing and is not counted. A success resets the count. Failures are forgotten after
 * CREDENTIAL_WINDOW_SECONDS without another one. Unknown accounts are throttled like known ones.
 *
 * Call {@link assertAllowed} before checking a password, then {@link recordFailure} or {@link recordSuccess}.
 * State lives in Redis when REDIS_URL is set (one atomic script per call, shared by every replica), in bounded
 * process memory otherwise and whenever Redis is unavailable.
 */
@Injectable()
export class CredentialThrottle {
  private readonly redisStore: RedisCredentialThrottleStore | undefined;
  private readonly memoryStore: MemoryCredentialThrottleStore;

  constructor(
    config: AppConfig,
    redis: RedisConnection,
    private readonly clock: ThrottleClock,
  ) {
    const policy = throttlePolicy(config.credentialThrottle);
    this.redisStore = redis.configured ? new RedisCredentialThrottleStore(redis, policy) : undefined;
    this.memoryStore = new MemoryCredentialThrottleStore(policy);
  }

  /**
   * Throws 429 problem+json (`Retry-After` in whole seconds) while `account` must wait; otherwise lets the
   * attempt through, counting it as in flight until its outcome is recorded. `account`: the account name as the
   * client gave it (normalised here: trimmed, lower-cased); `source`: the client IP (Fastify's `request.ip`).
   */
  async assertAllowed(account: string, source: string, options: CredentialCheckOptions = {}): Promise<void> {
    const client = normaliseSource(source);
    const exempt = (options.exemptTrustedSource ?? true) && client !== undefined;
    const now = this.clock.now();
    const verdict = await this.withStore((store) => store.startAttempt(accountKey(account), client ?? '', exempt, now));
    if (!verdict.allowed) throw tooManyFailedAttempts(Math.max(1, Math.ceil(verdict.retryAfterMs / 1000)));
  }

  /**
   * The password was wrong, the account unknown or disabled. Counted for the account whatever the source (the
   * parameter keeps the three calls alike): an attacker spreads failures over many addresses.
   */
  async recordFailure(account: string, _source: string): Promise<void> {
    const now = this.clock.now();
    await this.withStore((store) => store.recordFailure(accountKey(account), now));
  }

  /** The password was right: the count starts again, and `source` is trusted for this account for 30 days. */
  async recordSuccess(account: string, source: string): Promise<void> {
    const now = this.clock.now();
    await this.withStore((store) => store.recordSuccess(accountKey(account), normaliseSource(source), now));
  }

  private async withStore<T>(operation: (store: CredentialThrottleStore) => Promise<T>): Promise<T> {
    if (this.redisStore !== undefined) {
      try {
        return await operation(this.redisStore);
      } catch (error) {
        if (!(error instanceof RedisUnavailableError)) throw error;
      }
    }
    return operation(this.memoryStore);
  }
}

/**
 * A digest of the normalised account name: keys of fixed length, and no email addresses in Redis or in memory.
 */
function accountKey(account: string): string {
  return createHash('sha256').update(account.trim().toLowerCase()).digest('base64url');
}

/** An unknown address (a closed socket) is never trusted, lest every such request share one trusted source. */
function normaliseSource(source: string | undefined): string | undefined {
  const trimmed = source?.trim();
  return trimmed ? trimmed : undefined;
}
