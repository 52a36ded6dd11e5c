import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { PasswordHasher, TOO_MANY_FAILED_ATTEMPTS } from '@app/auth';
import {
  AuthApi,
  authHeader,
  expectProblem,
  expectUnauthorized,
  type Injected,
  invalidFields,
  type ProblemBody,
  strongPassword,
  uniqueEmail,
} from '../support/auth';
import { describeEachDatabase, type TestDatabase } from '../support/databases';
import { bootTestApp, type TestApp } from '../support/test-app';

/**
 * Per-account throttling of failed password checks, as the security probe attacked it: one account guessed from
 * 20 client IPs × 5 passwords within a minute (the per-IP limits never trigger). Client IPs come from
 * X-Forwarded-For, trusted from the test client's own address (TRUST_PROXY=127.0.0.1); the per-IP rate limits are
 * raised out of the way by the test configuration. Defaults otherwise: 10 failures free, then 1 s doubling.
 */

const PROXY = '127.0.0.1';
const HOME = '198.51.100.10';
const WRONG = 'wrong-password-123';
const sprayIp = (i: number): string => `203.0.113.${i + 1}`;

/** A 429 from the credential throttle: problem+json, its type, Retry-After in whole seconds within the cap. */
function expectThrottled(res: Injected): ProblemBody {
  const body = expectProblem(res, 429);
  expect(body.type).toBe(TOO_MANY_FAILED_ATTEMPTS);
  expect(body.detail).toMatch(/too many failed attempts/i);
  const retryAfter = String(res.headers['retry-after']);
  expect(retryAfter).toMatch(/^[1-9]\d*$/);
  expect(Number(retryAfter)).toBeLessThanOrEqual(900);
  return body;
}

describeEachDatabase('credential throttle (per account, across client IPs)', (tier) => {
  let db: TestDatabase;
  let t: TestApp;
  let api: AuthApi;

  beforeAll(async () => {
    db = await tier.create();
    t = await bootTestApp({ ...db.env, TRUST_PROXY: PROXY });
    api = new AuthApi(t.app);
  });
  afterAll(async () => {
    await t?.close();
    await db?.cleanup();
  });

  const loginFrom = (ip: string, email: string, password = WRONG): Promise<Injected> =>
    api.loginRaw(email, password, { remoteAddress: PROXY, headers: { 'x-forwarded-for': ip } });

  /** 20 IPs × 5 wrong passwords, in order; the responses, and how many passwords were actually checked. */
  async function spray(email: string): Promise<{ responses: Injected[]; passwordChecks: number }> {
    const verify = vi.spyOn(t.app.get(PasswordHasher), 'verify');
    try {
      const responses: Injected[] = [];
      for (let ip = 0; ip < 20; ip++) {
        for (let guess = 0; guess < 5; guess++) responses.push(await loginFrom(sprayIp(ip), email));
      }
      return { responses, passwordChecks: verify.mock.calls.length };
    } finally {
      verify.mockRestore();
    }
  }

  /**
   * The first 10 guesses are checked (401); after that nearly all are refused with 429 before any password check.
   * A few more may be checked if the machine is slow enough for a wait (1 s, then 2 s…) to pass during the spray.
   */
  function expectSprayThrottled({ responses, passwordChecks }: Awaited<ReturnType<typeof spray>>): void {
    for (const res of responses.slice(0, 10)) expectUnauthorized(res);
    expectThrottled(responses[10]!);
    const checked = responses.filter((res) => res.statusCode === 401);
    const refused = responses.filter((res) => res.statusCode === 429);
    expect(checked.length + refused.length).toBe(100);
    expect(checked.length).toBeLessThanOrEqual(13);
    for (const res of refused) expectThrottled(res);
    // No argon2 work for a refused attempt: one verification per 401, none per 429.
    expect(passwordChecks).toBe(checked.length);
  }

  it('20 IPs × 5 wrong guesses → 429 after 10; the right password from an unknown IP is refused too', async () => {
    const { email, password } = await api.register();
    expect((await loginFrom(HOME, email, password)).statusCode).toBe(200); // the user's usual network

    expectSprayThrottled(await spray(email));
    expectThrottled(await loginFrom('192.0.2.77', email, password));

    // The real user, from the network they logged in from before, still gets in…
    expect((await loginFrom(HOME, email, password)).statusCode).toBe(200);
    // …and that success resets the count: a wrong guess is checked again (401), and the right one gets in.
    expectUnauthorized(await loginFrom('192.0.2.78', email));
    expect((await loginFrom('192.0.2.79', email, password)).statusCode).toBe(200);
  });

  it('an unknown email is throttled exactly like a known one (no enumeration through 429 vs 401)', async () => {
    const ghost = uniqueEmail('ghost');
    const ghostSpray = await spray(ghost);
    expectSprayThrottled(ghostSpray);

    const { email } = await api.register();
    const knownSpray = await spray(email);
    const comparable = (res: Injected) => {
      const { requestId: _id, detail: _seconds, ...body } = res.json<ProblemBody>();
      return { status: res.statusCode, body, headers: Object.keys(res.headers).sort() };
    };
    expect(comparable(ghostSpray.responses[10]!)).toEqual(comparable(knownSpray.responses[10]!));
    expect(comparable(ghostSpray.responses[0]!)).toEqual(comparable(knownSpray.responses[0]!));
  });

  it('the email is matched as the account: case and surrounding spaces do not give fresh attempts', async () => {
    const { email } = await api.register();
    const variants = [email, email.toUpperCase(), ` ${email} `];
    for (let i = 0; i < 10; i++) expectUnauthorized(await loginFrom(sprayIp(i), variants[i % 3]!));
    expectThrottled(await loginFrom(sprayIp(11), email.toUpperCase()));
  });

  it('guessing currentPassword on PATCH /v1/users/me with one token is throttled the same way', async () => {
    const { email, password } = await api.register();
    const login = await loginFrom(HOME, email, password);
    expect(login.statusCode).toBe(200);
    const token = login.json<{ accessToken: string }>().accessToken;
    const changePassword = (currentPassword: string, ip = HOME): Promise<Injected> =>
      api.inject({
        method: 'PATCH',
        url: '/v1/users/me',
        remoteAddress: PROXY,
        headers: { ...authHeader(token), 'x-forwarded-for': ip },
        payload: { password: strongPassword(), currentPassword },
      });

    // From the very network the account logs in from: a stolen token gets no exemption here.
    for (let i = 0; i < 10; i++)
      expect(invalidFields(await changePassword(strongPassword()))).toEqual(['currentPassword']);
    expectThrottled(await changePassword(strongPassword()));
    expectThrottled(await changePassword(password)); // not even checked while the account must wait
    // The same account's logins from elsewhere wait too (one count per account)…
    expectThrottled(await loginFrom('192.0.2.90', email, password));
    // …but not the user's own network, and their login resets the count.
    expect((await loginFrom(HOME, email, password)).statusCode).toBe(200);
    expect((await changePassword(password)).statusCode).toBe(200);
  });

  it('counts the refusals by route in credential_throttle_rejections_total', async () => {
    const metrics = await t.app.inject({ method: 'GET', url: '/metrics' });
    expect(metrics.body).toMatch(/^credential_throttle_rejections_total\{route="\/v1\/auth\/login"\} [1-9]\d*$/m);
    expect(metrics.body).toMatch(/^credential_throttle_rejections_total\{route="\/v1\/users\/me"\} [1-9]\d*$/m);
  });
});
