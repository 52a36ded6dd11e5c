import { afterEach, describe, expect, it, vi } from 'vitest';
import { loadConfig } from '@app/core';
import { AccessTokenService } from './access-token.service';

const config = (secret = 'a-test-secret-that-is-long-enough-for-hs256-000') =>
  loadConfig({ NODE_ENV: 'test', JWT_SECRET: secret, JWT_ACCESS_TTL_SECONDS: '60' });

const subject = { id: 'user-1', role: 'user' as const, sessionId: 'session-1', sessionVersion: 3 };

/** The same token with one character of its signature changed. */
const tampered = (token: string): string => {
  const last = token.at(-2) === 'A' ? 'B' : 'A';
  return `${token.slice(0, -2)}${last}${token.at(-1)}`;
};

describe('AccessTokenService', () => {
  afterEach(() => vi.useRealTimers());

  it('verifies its own tokens, again from memory, with the same claims', async () => {
    const tokens = new AccessTokenService(config());
    const token = await tokens.sign(subject);
    const first = await tokens.verify(token);
    expect(first).toMatchObject({ sub: 'user-1', role: 'user', sid: 'session-1', sv: 3 });
    expect(await tokens.verify(token)).toEqual(first);
    expect(Object.isFrozen(await tokens.verify(token))).toBe(true);
  });

  it('refuses a tampered signature even once the genuine token is remembered', async () => {
    const tokens = new AccessTokenService(config());
    const token = await tokens.sign(subject);
    await tokens.verify(token);
    expect(await tokens.verify(tampered(token))).toBeUndefined();
  });

  it("refuses another secret's tokens and alg none", async () => {
    const tokens = new AccessTokenService(config());
    const foreign = await new AccessTokenService(config('another-secret-that-is-long-enough-for-hs256')).sign(subject);
    expect(await tokens.verify(foreign)).toBeUndefined();
    const [, payload] = (await tokens.sign(subject)).split('.');
    const none = `${Buffer.from('{"alg":"none","typ":"JWT"}').toString('base64url')}.${payload}.`;
    expect(await tokens.verify(none)).toBeUndefined();
  });

  it('stops accepting a remembered token the second it expires', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2026-01-01T00:00:00.000Z'));
    const tokens = new AccessTokenService(config());
    const token = await tokens.sign(subject);
    expect(await tokens.verify(token)).toBeDefined();
    vi.setSystemTime(new Date('2026-01-01T00:00:59.999Z'));
    expect(await tokens.verify(token)).toBeDefined();
    vi.setSystemTime(new Date('2026-01-01T00:01:00.000Z'));
    expect(await tokens.verify(token)).toBeUndefined();
    expect(await tokens.verify(token)).toBeUndefined();
  });
});
