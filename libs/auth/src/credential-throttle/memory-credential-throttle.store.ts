import { BoundedMap } from './bounded-map';
import type { CredentialThrottleStore } from './credential-throttle.store';
import {
  type AttemptVerdict,
  type FailureState,
  isTrusted,
  recordFailure,
  startAttempt,
  type ThrottlePolicy,
} from './throttle-policy';

export interface MemoryThrottleLimits {
  /** Accounts whose failures are tracked; beyond it the least recently written is forgotten. */
  readonly maxAccounts: number;
  /** Accounts whose trusted sources are kept (a success is needed to add one, so attackers cannot flood it). */
  readonly maxTrustedAccounts: number;
}

/**
 * About 25 MB of heap at most for failures (a spray of unknown emails fills it first) and 15 MB for trusted
 * sources (10 per account), as measured on Node 20.
 */
export const DEFAULT_MEMORY_THROTTLE_LIMITS: MemoryThrottleLimits = { maxAccounts: 50_000, maxTrustedAccounts: 20_000 };

/**
 * The state in process memory: when REDIS_URL is unset, and whenever Redis is unavailable (then per replica).
 * Bounded: failures and trusted sources are kept in separate maps so that a flood of failed attempts, which
 * anyone can cause, evicts other failures and never the trusted sources that spare real users the wait.
 */
export class MemoryCredentialThrottleStore implements CredentialThrottleStore {
  private readonly failures: BoundedMap<string, FailureState>;
  /** account → source → last successful login (epoch ms), in order of success. */
  private readonly trusted: BoundedMap<string, Map<string, number>>;

  constructor(
    private readonly policy: ThrottlePolicy,
    limits: MemoryThrottleLimits = DEFAULT_MEMORY_THROTTLE_LIMITS,
  ) {
    this.failures = new BoundedMap(limits.maxAccounts);
    this.trusted = new BoundedMap(limits.maxTrustedAccounts);
  }

  /** Accounts with failures held, and accounts with trusted sources held (for tests of the bounds). */
  get size(): { accounts: number; trustedAccounts: number } {
    return { accounts: this.failures.size, trustedAccounts: this.trusted.size };
  }

  async startAttempt(account: string, source: string, exemptIfTrusted: boolean, now: number): Promise<AttemptVerdict> {
    const exempt = exemptIfTrusted && isTrusted(this.trusted.get(account)?.get(source), now, this.policy);
    const { verdict, state } = startAttempt(this.failures.get(account), exempt, now, this.policy);
    if (verdict.allowed && state !== undefined) this.failures.set(account, state);
    return verdict;
  }

  async recordFailure(account: string, now: number): Promise<void> {
    this.failures.set(account, recordFailure(this.failures.get(account), now, this.policy));
  }

  async recordSuccess(account: string, source: string | undefined, now: number): Promise<void> {
    this.failures.delete(account);
    if (source === undefined) return;
    const sources = new Map(
      [...(this.trusted.get(account) ?? [])].filter(
        ([other, at]) => other !== source && isTrusted(at, now, this.policy),
      ),
    );
    sources.set(source, now);
    for (const oldest of sources.keys()) {
      if (sources.size <= this.policy.maxTrustedSources) break;
      sources.delete(oldest);
    }
    this.trusted.set(account, sources);
  }
}
