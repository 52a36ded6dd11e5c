import type { AttemptVerdict } from './throttle-policy';

/**
 * Where the per-account state lives, applying {@link ThrottlePolicy} atomically per call. `account` is an opaque
 * key (a digest of the normalised account name); `source` the client IP; `now` epoch milliseconds.
 */
export interface CredentialThrottleStore {
  /**
   * Decides whether an attempt may check a password. `exemptIfTrusted`: a source the account recently logged in
   * from is let through even while the account must wait. A refused attempt changes nothing.
   */
  startAttempt(account: string, source: string, exemptIfTrusted: boolean, now: number): Promise<AttemptVerdict>;
  /** The password was wrong (or the account unknown or disabled). */
  recordFailure(account: string, now: number): Promise<void>;
  /** The password was right: forget the failures and trust `source` (when known) for this account. */
  recordSuccess(account: string, source: string | undefined, now: number): Promise<void>;
}
