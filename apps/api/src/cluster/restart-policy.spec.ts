import { describe, expect, it } from 'vitest';
import { DEFAULT_RESTART_POLICY, RestartPolicy } from './restart-policy';

describe('RestartPolicy', () => {
  it('replaces a crashed serving worker after a short delay that doubles while crashes keep coming', () => {
    const policy = new RestartPolicy();
    policy.listening();
    expect(policy.exited(true, 0)).toEqual({ restart: true, delayMs: 100 });
    expect(policy.exited(true, 1_000)).toEqual({ restart: true, delayMs: 200 });
    expect(policy.exited(true, 2_000)).toEqual({ restart: true, delayMs: 400 });
    // Once the earlier crashes are out of the window, the delay is short again.
    expect(policy.exited(true, 200_000)).toEqual({ restart: true, delayMs: 100 });
  });

  it('caps the delay', () => {
    const policy = new RestartPolicy({ ...DEFAULT_RESTART_POLICY, maxCrashes: 100 });
    let last = policy.exited(true, 0);
    for (let i = 1; i < 20; i++) last = policy.exited(true, i);
    expect(last).toEqual({ restart: true, delayMs: 5_000 });
  });

  it('gives up when workers keep dying before they listen', () => {
    const policy = new RestartPolicy();
    expect(policy.exited(false, 0)).toMatchObject({ restart: true });
    expect(policy.exited(false, 10)).toMatchObject({ restart: true });
    expect(policy.exited(false, 20)).toEqual({
      restart: false,
      reason: '3 workers in a row exited before listening (see their errors above)',
    });
  });

  it('forgets boot failures once a worker listens', () => {
    const policy = new RestartPolicy();
    policy.exited(false, 0);
    policy.exited(false, 10);
    policy.listening();
    expect(policy.exited(false, 20)).toMatchObject({ restart: true });
    expect(policy.exited(false, 30)).toMatchObject({ restart: true });
  });

  it('gives up on a crash loop of serving workers', () => {
    const policy = new RestartPolicy();
    for (let i = 0; i < 10; i++) {
      policy.listening();
      expect(policy.exited(true, i * 1_000)).toMatchObject({ restart: true });
    }
    policy.listening();
    expect(policy.exited(true, 10_000)).toEqual({
      restart: false,
      reason: '11 workers exited unexpectedly within 60 s',
    });
  });
});
