import { describe, expect, it } from 'vitest';
import { loadConfig } from '@app/core';
import { delayAfter, NO_FAILURES, recordFailure, startAttempt, throttlePolicy } from './throttle-policy';

const policy = throttlePolicy(loadConfig({ NODE_ENV: 'test' }).credentialThrottle);

describe('throttle policy', () => {
  it('defaults: 10 failures free, then 1 s doubling up to 15 min; forgotten after 15 min; trust for 30 days, 10 sources', () => {
    expect(policy).toMatchObject({
      failuresBeforeDelay: 10,
      firstDelayMs: 1_000,
      maxDelayMs: 900_000,
      windowMs: 900_000,
      trustMs: 30 * 86_400_000,
      maxTrustedSources: 10,
    });
  });

  it('delayAfter: nothing up to the threshold, then 1 s doubling per failure, capped', () => {
    expect([0, 1, 9].map((failures) => delayAfter(failures, policy))).toEqual([0, 0, 0]);
    expect([10, 11, 12, 13, 19].map((failures) => delayAfter(failures, policy))).toEqual([
      1_000, 2_000, 4_000, 8_000, 512_000,
    ]);
    expect([20, 21, 100, 1e9].map((failures) => delayAfter(failures, policy))).toEqual([
      900_000, 900_000, 900_000, 900_000,
    ]);
  });

  it('follows CREDENTIAL_* from the configuration', () => {
    const custom = throttlePolicy(
      loadConfig({
        CREDENTIAL_FAILURES_BEFORE_DELAY: '3',
        CREDENTIAL_MAX_DELAY_SECONDS: '5',
        CREDENTIAL_WINDOW_SECONDS: '120',
      }).credentialThrottle,
    );
    expect(custom).toMatchObject({ failuresBeforeDelay: 3, maxDelayMs: 5_000, windowMs: 120_000 });
    expect([2, 3, 4, 5, 6].map((failures) => delayAfter(failures, custom))).toEqual([0, 1_000, 2_000, 4_000, 5_000]);
  });

  it('an attempt let through starts the wait its failure would cause, so concurrent attempts cannot skip it', () => {
    const nine = { ...NO_FAILURES, failures: 9, expiresAt: Number.MAX_SAFE_INTEGER };
    const { verdict, state } = startAttempt(nine, false, 1_000, policy);
    expect(verdict.allowed).toBe(true);
    expect(state).toMatchObject({ failures: 9, inFlight: 1, blockedUntil: 2_000 });
    expect(startAttempt(state, false, 1_001, policy).verdict).toEqual({ allowed: false, retryAfterMs: 999 });
    // Its failure keeps the wait, and it no longer counts as in flight.
    expect(recordFailure(state, 1_050, policy)).toMatchObject({ failures: 10, inFlight: 0, blockedUntil: 2_050 });
  });

  it('a refused attempt leaves the state as it was', () => {
    const blocked = { ...NO_FAILURES, failures: 12, blockedUntil: 5_000, expiresAt: 905_000 };
    expect(startAttempt(blocked, false, 4_000, policy)).toEqual({
      verdict: { allowed: false, retryAfterMs: 1_000 },
      state: blocked,
    });
  });

  it('the state is forgotten once the window has passed after the wait', () => {
    const state = recordFailure(undefined, 0, policy);
    expect(state).toMatchObject({ failures: 1, expiresAt: 900_000 });
    expect(recordFailure(state, 899_999, policy).failures).toBe(2);
    expect(recordFailure(state, 900_000, policy).failures).toBe(1);
  });
});
