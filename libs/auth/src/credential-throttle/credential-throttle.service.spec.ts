import { describe, expect, it } from 'vitest';
import { loadConfig, Metrics, ProblemException } from '@app/core';
import { RedisConnection } from '@app/redis';
import { CredentialThrottle, type CredentialCheckOptions } from './credential-throttle.service';
import { ThrottleClock } from './throttle-clock';
import { TOO_MANY_FAILED_ATTEMPTS } from './too-many-failed-attempts.problem';

const SECOND = 1_000;
const MINUTE = 60 * SECOND;
const DAY = 86_400 * SECOND;

class FakeClock extends ThrottleClock {
  constructor(public time = 1_700_000_000_000) {
    super();
  }
  override now(): number {
    return this.time;
  }
  advance(ms: number): void {
    this.time += ms;
  }
}

/** A throttle on the in-memory store (no REDIS_URL), with its own clock. */
function setup(env: Record<string, string> = {}) {
  const config = loadConfig({ NODE_ENV: 'test', ...env });
  const clock = new FakeClock();
  const throttle = new CredentialThrottle(config, new RedisConnection(config, new Metrics()), clock);

  /** 'allowed', or the Retry-After (seconds) of the 429. */
  const attempt = async (
    account: string,
    ip: string,
    options?: CredentialCheckOptions,
  ): Promise<'allowed' | number> => {
    try {
      await throttle.assertAllowed(account, ip, options);
      return 'allowed';
    } catch (error) {
      if (!(error instanceof ProblemException) || error.getStatus() !== 429) throw error;
      return Number(error.headers['retry-after']);
    }
  };
  /** A wrong password: the attempt must be let through, then fails. */
  const fail = async (account: string, ip: string): Promise<void> => {
    expect(await attempt(account, ip)).toBe('allowed');
    await throttle.recordFailure(account, ip);
  };
  const succeed = async (account: string, ip: string): Promise<void> => {
    expect(await attempt(account, ip)).toBe('allowed');
    await throttle.recordSuccess(account, ip);
  };
  const failTimes = async (times: number, account: string, ipOf: (i: number) => string): Promise<void> => {
    for (let i = 0; i < times; i++) await fail(account, ipOf(i));
  };
  return { throttle, clock, attempt, fail, succeed, failTimes };
}

const ip = (i: number): string => `203.0.113.${(i % 250) + 1}`;
const HOME = '198.51.100.7';

describe('CredentialThrottle (in-memory store)', () => {
  it('up to 10 failures (from any IPs) nothing changes; the 11th attempt must wait 1 s', async () => {
    const { attempt, clock, failTimes } = setup();
    await failTimes(10, 'ada@example.test', ip);
    expect(await attempt('ada@example.test', ip(99))).toBe(1);
    clock.advance(SECOND - 1);
    expect(await attempt('ada@example.test', ip(99))).toBe(1); // whole seconds, rounded up
    clock.advance(1);
    expect(await attempt('ada@example.test', ip(99))).toBe('allowed');
  });

  it('answers 429 problem+json material: the type, a detail and Retry-After in whole seconds', async () => {
    const { throttle, failTimes } = setup();
    await failTimes(10, 'ada@example.test', ip);
    const refusal = await throttle.assertAllowed('ada@example.test', ip(0)).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(refusal).toBeInstanceOf(ProblemException);
    const problem = refusal as ProblemException;
    expect(problem.getStatus()).toBe(429);
    expect(problem.problemType).toBe(TOO_MANY_FAILED_ATTEMPTS);
    expect(problem.detail).toMatch(/too many failed attempts.*1 s/i);
    expect(problem.headers).toEqual({ 'retry-after': '1' });
  });

  it('each further failure doubles the wait, up to the 15-minute cap', async () => {
    const { attempt, clock, fail, failTimes } = setup();
    await failTimes(10, 'ada@example.test', ip);
    const waits: number[] = [];
    for (let i = 0; i < 13; i++) {
      const wait = await attempt('ada@example.test', ip(i));
      expect(wait).not.toBe('allowed');
      waits.push(wait as number);
      clock.advance((wait as number) * SECOND);
      await fail('ada@example.test', ip(i));
    }
    expect(waits).toEqual([1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 900, 900, 900]);
  });

  it('follows CREDENTIAL_FAILURES_BEFORE_DELAY and CREDENTIAL_MAX_DELAY_SECONDS', async () => {
    const { attempt, clock, fail, failTimes } = setup({
      CREDENTIAL_FAILURES_BEFORE_DELAY: '2',
      CREDENTIAL_MAX_DELAY_SECONDS: '3',
    });
    await failTimes(2, 'ada@example.test', ip);
    expect(await attempt('ada@example.test', HOME)).toBe(1);
    clock.advance(SECOND);
    await fail('ada@example.test', HOME);
    expect(await attempt('ada@example.test', HOME)).toBe(2);
    clock.advance(2 * SECOND);
    await fail('ada@example.test', HOME);
    expect(await attempt('ada@example.test', HOME)).toBe(3);
  });

  it('a refused attempt is not counted: hammering while blocked does not lengthen the wait', async () => {
    const { attempt, clock, fail, failTimes } = setup();
    await failTimes(10, 'ada@example.test', ip);
    for (let i = 0; i < 500; i++) expect(await attempt('ada@example.test', ip(i))).toBe(1);
    clock.advance(SECOND);
    await fail('ada@example.test', ip(0)); // the 11th failure
    expect(await attempt('ada@example.test', ip(1))).toBe(2); // not 2^500 s
  });

  it('a success resets the count', async () => {
    const { attempt, clock, fail, succeed, failTimes } = setup();
    await failTimes(10, 'ada@example.test', ip);
    clock.advance(SECOND);
    await fail('ada@example.test', ip(10));
    expect(await attempt('ada@example.test', ip(11))).toBe(2);
    clock.advance(2 * SECOND);
    await succeed('ada@example.test', ip(50)); // from an IP never seen before: the password was right
    await failTimes(10, 'ada@example.test', ip);
    expect(await attempt('ada@example.test', ip(0))).toBe(1);
  });

  it('an IP the account logged in from is exempt from the wait; other IPs are not', async () => {
    const { attempt, clock, succeed, fail, failTimes } = setup();
    await succeed('ada@example.test', HOME);
    await failTimes(10, 'ada@example.test', ip);
    clock.advance(SECOND);
    await failTimes(5, 'ada@example.test', () => HOME); // even the user's own typos from home
    expect(await attempt('ada@example.test', ip(20))).toBeGreaterThan(1);
    expect(await attempt('ada@example.test', HOME)).toBe('allowed');
    await fail('ada@example.test', HOME);
    // The exemption can be turned off (confirming the current password of a signed-in account).
    expect(await attempt('ada@example.test', HOME, { exemptTrustedSource: false })).toBeGreaterThan(1);
  });

  it('only the last 10 IPs an account logged in from are trusted', async () => {
    const { attempt, clock, succeed, failTimes } = setup();
    await succeed('ada@example.test', HOME);
    for (let i = 1; i <= 10; i++) {
      clock.advance(MINUTE);
      await succeed('ada@example.test', `192.0.2.${i}`);
    }
    await failTimes(10, 'ada@example.test', ip);
    expect(await attempt('ada@example.test', HOME)).toBe(1); // the 11th most recent: dropped
    for (let i = 1; i <= 10; i++) expect(await attempt('ada@example.test', `192.0.2.${i}`)).toBe('allowed');
  });

  it('trust lasts 30 days from the last success from that IP', async () => {
    const { attempt, clock, fail, succeed, failTimes } = setup();
    await succeed('ada@example.test', HOME);
    clock.advance(DAY);
    await succeed('ada@example.test', '192.0.2.1');
    clock.advance(29 * DAY - MINUTE);
    await failTimes(10, 'ada@example.test', ip);
    await fail('ada@example.test', HOME); // 30 days less a minute: still trusted, let through while others wait
    clock.advance(MINUTE);
    await fail('ada@example.test', ip(10));
    expect(await attempt('ada@example.test', HOME)).toBe(4); // 30 days: no longer trusted
    expect(await attempt('ada@example.test', '192.0.2.1')).toBe('allowed');
  });

  it('failures are forgotten after the window without another one, counted from the end of the wait', async () => {
    const { attempt, clock, fail, failTimes } = setup();
    await failTimes(9, 'ada@example.test', ip);
    clock.advance(15 * MINUTE - 1);
    await fail('ada@example.test', ip(9)); // the window was extended by each failure: this is the 10th
    expect(await attempt('ada@example.test', ip(10))).toBe(1);

    clock.advance(SECOND + 15 * MINUTE - 1);
    expect(await attempt('ada@example.test', ip(10))).toBe('allowed'); // the 11th attempt, in flight
    clock.advance(1);
    expect(await attempt('ada@example.test', ip(10))).toBeGreaterThan(1); // it holds the next wait
  });

  it('a quiet account starts afresh once the window has passed after its wait', async () => {
    const { attempt, clock, failTimes } = setup();
    await failTimes(10, 'ada@example.test', ip);
    clock.advance(SECOND + 15 * MINUTE);
    await failTimes(9, 'ada@example.test', ip);
    expect(await attempt('ada@example.test', ip(0))).toBe('allowed');
  });

  it('concurrent attempts get no more guesses than sequential ones', async () => {
    const { throttle, attempt } = setup();
    const outcomes = await Promise.all(Array.from({ length: 40 }, (_, i) => attempt('ada@example.test', ip(i))));
    expect(outcomes.filter((outcome) => outcome === 'allowed')).toHaveLength(10);
    expect(outcomes.filter((outcome) => outcome === 1)).toHaveLength(30);
    // Once they have failed, the wait follows the count of real failures.
    await Promise.all(Array.from({ length: 10 }, (_, i) => throttle.recordFailure('ada@example.test', ip(i))));
    expect(await attempt('ada@example.test', ip(0))).toBe(1);
  });

  it('an attempt whose outcome is never recorded stops holding the others after 30 s', async () => {
    const { attempt, clock, failTimes } = setup();
    await failTimes(9, 'ada@example.test', ip);
    expect(await attempt('ada@example.test', ip(9))).toBe('allowed'); // then, say, the database fails
    expect(await attempt('ada@example.test', ip(10))).toBe(1);
    clock.advance(30 * SECOND);
    expect(await attempt('ada@example.test', ip(10))).toBe('allowed');
  });

  it('accounts are independent, and matched case-insensitively', async () => {
    const { attempt, failTimes } = setup();
    await failTimes(10, 'Ada@Example.test', ip);
    expect(await attempt(' ada@example.TEST ', ip(0))).toBe(1);
    expect(await attempt('grace@example.test', ip(0))).toBe('allowed');
  });

  it('an unknown source (no client address) is never trusted', async () => {
    const { attempt, succeed, failTimes } = setup();
    await succeed('ada@example.test', '');
    await failTimes(10, 'ada@example.test', ip);
    expect(await attempt('ada@example.test', '')).toBe(1);
  });
});
