import type { AppConfig } from '@app/core';

const SECOND = 1_000;
const DAY = 86_400 * SECOND;

/** The rules of {@link CredentialThrottle}, in milliseconds. Both stores apply exactly these. */
export interface ThrottlePolicy {
  /** Failures an account may collect before each further attempt has to wait. */
  readonly failuresBeforeDelay: number;
  /** The first wait, doubled for each further failure. */
  readonly firstDelayMs: number;
  readonly maxDelayMs: number;
  /** Failures are forgotten once this long has passed, without another attempt, after the current wait. */
  readonly windowMs: number;
  /**
   * How long an attempt let through counts as in flight while its password is checked. In-flight attempts count
   * as failures when deciding whether the next one must wait, so that a burst of concurrent requests gets no more
   * guesses than the same requests one after the other; an attempt whose outcome is never recorded (an error) stops
   * counting after this long.
   */
  readonly inFlightMs: number;
  /** How long a source (client IP) stays trusted for an account after a successful login from it. */
  readonly trustMs: number;
  /** Trusted sources kept per account (the most recent ones). */
  readonly maxTrustedSources: number;
}

export function throttlePolicy(config: AppConfig['credentialThrottle']): ThrottlePolicy {
  return {
    failuresBeforeDelay: config.failuresBeforeDelay,
    firstDelayMs: SECOND,
    maxDelayMs: config.maxDelaySeconds * SECOND,
    windowMs: config.windowSeconds * SECOND,
    inFlightMs: 30 * SECOND,
    trustMs: 30 * DAY,
    maxTrustedSources: 10,
  };
}

/** Enough doublings to pass any cap (2^40 s is some 35,000 years), and far from overflowing to Infinity. */
const MAX_DOUBLINGS = 40;

/**
 * How long the next attempt must wait after the account's `failures`-th failure: nothing up to the threshold,
 * then the first delay, doubling with each further failure, up to the cap.
 */
export function delayAfter(failures: number, policy: ThrottlePolicy): number {
  if (failures < policy.failuresBeforeDelay) return 0;
  const doublings = Math.min(failures - policy.failuresBeforeDelay, MAX_DOUBLINGS);
  return Math.min(policy.maxDelayMs, policy.firstDelayMs * 2 ** doublings);
}

/** What is known about an account's recent failures. Times are epoch milliseconds. */
export interface FailureState {
  /** Failed checks since the last success (or since the state was forgotten). */
  readonly failures: number;
  /** No attempt from an untrusted source before this time. */
  readonly blockedUntil: number;
  /** Attempts let through whose outcome is not recorded yet. */
  readonly inFlight: number;
  /** When the in-flight attempts stop counting. */
  readonly inFlightUntil: number;
  /** When the whole state is forgotten. */
  readonly expiresAt: number;
}

export const NO_FAILURES: FailureState = { failures: 0, blockedUntil: 0, inFlight: 0, inFlightUntil: 0, expiresAt: 0 };

/** The verdict on one attempt: `retryAfterMs` is set when it must wait. */
export interface AttemptVerdict {
  readonly allowed: boolean;
  readonly retryAfterMs: number;
}

/** The state as it stands at `now`: expired state forgotten, lapsed in-flight attempts dropped. */
function current(state: FailureState | undefined, now: number): FailureState {
  if (state === undefined || now >= state.expiresAt) return NO_FAILURES;
  return now >= state.inFlightUntil ? { ...state, inFlight: 0, inFlightUntil: 0 } : state;
}

/** Forgotten `windowMs` after the current wait ends (and never while attempts are in flight). */
function withExpiry(state: Omit<FailureState, 'expiresAt'>, now: number, policy: ThrottlePolicy): FailureState {
  return { ...state, expiresAt: Math.max(now, state.blockedUntil, state.inFlightUntil) + policy.windowMs };
}

/**
 * An attempt to check a password. Refused, with nothing recorded, while the account must wait (unless `exempt`:
 * a trusted source). Otherwise it is let through and counted as in flight: should it fail, the next attempt has to
 * wait as the policy says, so that wait starts now already.
 */
export function startAttempt(
  previous: FailureState | undefined,
  exempt: boolean,
  now: number,
  policy: ThrottlePolicy,
): { verdict: AttemptVerdict; state: FailureState | undefined } {
  const state = current(previous, now);
  if (!exempt && now < state.blockedUntil) {
    return { verdict: { allowed: false, retryAfterMs: state.blockedUntil - now }, state: previous };
  }
  const inFlight = state.inFlight + 1;
  const next = {
    failures: state.failures,
    inFlight,
    inFlightUntil: now + policy.inFlightMs,
    blockedUntil: Math.max(state.blockedUntil, now + delayAfter(state.failures + inFlight, policy)),
  };
  return { verdict: { allowed: true, retryAfterMs: 0 }, state: withExpiry(next, now, policy) };
}

/** A failed check: one more failure, one attempt fewer in flight, and the wait that follows. */
export function recordFailure(previous: FailureState | undefined, now: number, policy: ThrottlePolicy): FailureState {
  const state = current(previous, now);
  const failures = state.failures + 1;
  const inFlight = Math.max(0, state.inFlight - 1);
  const next = {
    failures,
    inFlight,
    inFlightUntil: inFlight > 0 ? state.inFlightUntil : 0,
    blockedUntil: Math.max(state.blockedUntil, now + delayAfter(failures, policy)),
  };
  return withExpiry(next, now, policy);
}

/** Whether `source` logged in to the account recently enough, from its last success there (or undefined). */
export const isTrusted = (lastSuccessAt: number | undefined, now: number, policy: ThrottlePolicy): boolean =>
  lastSuccessAt !== undefined && now - lastSuccessAt < policy.trustMs;
