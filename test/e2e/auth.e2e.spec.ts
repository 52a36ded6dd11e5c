import { randomBytes, randomUUID } from 'node:crypto';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ACCESS_TTL_SECONDS,
  adminEnv,
  AuthApi,
  authHeader,
  claimsFrom,
  expectProblem,
  expectUnauthorized,
  findHashLeaks,
  hmacUnderHeader,
  type Injected,
  invalidFields,
  JWT_AUDIENCE,
  JWT_ISSUER,
  sha256Hex,
  signHmac,
  signRs256,
  tamperSignature,
  type TestUser,
  type TokenPair,
  uniqueEmail,
  unsecuredToken,
  type UserBody,
} from '../support/auth';
import { describeEachDatabase, type TestDatabase } from '../support/databases';
import { bootTestApp, type TestApp } from '../support/test-app';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const USER_FIELDS = ['createdAt', 'disabled', 'email', 'id', 'name', 'role', 'updatedAt'];
const TOKEN_PAIR_FIELDS = ['accessToken', 'expiresIn', 'refreshToken', 'tokenType'];

/** Random base64url text of exactly `length` characters: never a common password. */
const randomText = (length: number): string =>
  randomBytes(Math.ceil((length * 3) / 4) + 3)
    .toString('base64url')
    .slice(0, length);

/** What two 401s must share to be indistinguishable (everything but the per-request id). */
const comparable = (res: Injected) => {
  const { requestId: _requestId, ...body } = res.json<Record<string, unknown>>();
  return { status: res.statusCode, body, wwwAuthenticate: res.headers['www-authenticate'] };
};

describeEachDatabase('auth routes', (tier) => {
  let db: TestDatabase;
  let t: TestApp;
  let api: AuthApi;
  let admin: TestUser;

  beforeAll(async () => {
    db = await tier.create();
    t = await bootTestApp({ ...db.env, ...adminEnv() });
    api = new AuthApi(t.app);
    admin = await api.admin();
  });
  afterAll(async () => {
    await t?.close();
    await db?.cleanup();
  });

  const logout = (accessToken: string | undefined, refreshToken: string): Promise<Injected> =>
    api.inject({
      method: 'POST',
      url: '/v1/auth/logout',
      headers: accessToken === undefined ? {} : authHeader(accessToken),
      payload: { refreshToken },
    });
  const logoutAll = (accessToken: string): Promise<Injected> =>
    api.inject({ method: 'POST', url: '/v1/auth/logout-all', headers: authHeader(accessToken) });

  describe('POST /v1/auth/register', () => {
    it('creates a user: 201, Location, role user, and no hash or password in the body', async () => {
      const email = uniqueEmail('reg');
      const password = randomText(20);
      const res = await api.registerRaw({ email, password, name: 'Ada Lovelace' });
      expect(res.statusCode, res.body).toBe(201);
      const user = res.json<UserBody>();
      expect(Object.keys(user).sort()).toEqual(USER_FIELDS);
      expect(user).toMatchObject({ email, name: 'Ada Lovelace', role: 'user', disabled: false });
      expect(user.id).toMatch(UUID);
      expect(res.headers.location).toBe(`/v1/users/${user.id}`);
      expect(res.body).not.toContain(password);

      // The Location names the resource that was created.
      const located = await api.inject({
        method: 'GET',
        url: res.headers.location as string,
        headers: authHeader(admin.tokens.accessToken),
      });
      expect(located.statusCode).toBe(200);
      expect(located.json()).toEqual(user);
    });

    it('refuses a duplicate email that differs only in case (409)', async () => {
      const email = uniqueEmail('dup');
      await api.register({ email });
      const res = await api.registerRaw({ email: email.toUpperCase(), password: randomText(16), name: 'Twin' });
      const body = expectProblem(res, 409);
      expect(body.type).toBe('https://errors.example.dev/conflict');
      const padded = await api.registerRaw({ email: `  ${email}  `, password: randomText(16), name: 'Twin' });
      expectProblem(padded, 409);
    });

    it.each([
      ['role', 'admin'],
      ['isAdmin', true],
      ['disabled', true],
      ['passwordHash', '$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaA'],
      ['id', '00000000-0000-4000-8000-000000000000'],
    ])('refuses the extra field %s with a 400 naming it, and stores nothing', async (field, value) => {
      const email = uniqueEmail('mass');
      const payload = { email, password: randomText(16), name: 'Mallory' };
      const res = await api.registerRaw({ ...payload, [field]: value });
      expect(invalidFields(res)).toEqual([field]);
      expect(res.json<{ errors: Array<{ message: string }> }>().errors[0].message).toBe('is not allowed');

      // Nothing was stored: the same email registers cleanly afterwards, as a plain user.
      const clean = await api.registerRaw(payload);
      expect(clean.statusCode, clean.body).toBe(201);
      expect(clean.json<UserBody>().role).toBe('user');
    });

    it.each([
      ['common', 'password1234'],
      ['common, typed twice', 'qwertyqwerty'],
      ['common with trailing digits and symbols', 'Password123!'],
      ['digits only, common', '123456789012'],
      ['11 characters', randomText(11)],
      ['129 characters', randomText(129)],
      ['empty', ''],
    ])('refuses a %s password with a 400 naming password', async (_label, password) => {
      const res = await api.registerRaw({ email: uniqueEmail('pw'), password, name: 'Weak' });
      expect(invalidFields(res)).toEqual(['password']);
    });

    it('accepts a 12-character and a 128-character password, and both log in', async () => {
      for (const password of [randomText(12), randomText(128)]) {
        const { email } = await api.register({ password });
        expect((await api.loginRaw(email, password)).statusCode).toBe(200);
      }
    });

    it('refuses a missing or invalid email and name', async () => {
      const res = await api.registerRaw({ email: 'not-an-email', password: randomText(16), name: '' });
      expect(invalidFields(res)).toEqual(['email', 'name']);
      expect(invalidFields(await api.registerRaw({ password: randomText(16) }))).toEqual(['email', 'name']);
    });
  });

  describe('POST /v1/auth/login', () => {
    it('answers 200 with a Bearer token pair whose access token carries the pinned claims', async () => {
      const { user, email, password } = await api.register();
      const res = await api.loginRaw(email.toUpperCase(), password);
      expect(res.statusCode, res.body).toBe(200);
      expect(res.headers['cache-control']).toBe('no-store');
      const pair = res.json<TokenPair>();
      expect(Object.keys(pair).sort()).toEqual(TOKEN_PAIR_FIELDS);
      expect(pair.tokenType).toBe('Bearer');
      expect(pair.expiresIn).toBe(ACCESS_TTL_SECONDS);
      // Opaque, at least 256 bits of base64url.
      expect(pair.refreshToken).toMatch(/^[A-Za-z0-9_-]{43,}$/);

      expect(decodeProtectedHeader(pair.accessToken).alg).toBe('HS256');
      const claims = decodeJwt(pair.accessToken);
      expect(claims).toMatchObject({ sub: user.id, role: 'user', iss: JWT_ISSUER, aud: JWT_AUDIENCE });
      expect(claims.jti).toEqual(expect.any(String));
      expect((claims.exp as number) - (claims.iat as number)).toBe(ACCESS_TTL_SECONDS);

      const me = await api.me(pair.accessToken);
      expect(me.statusCode).toBe(200);
      expect(me.json()).toEqual(user);
      expect(me.headers['cache-control']).toBe('no-store');
    });

    it('gives a wrong password and an unknown email the same 401 (status, body, WWW-Authenticate)', async () => {
      const { email } = await api.register();
      const wrongPassword = await api.loginRaw(email, randomText(16));
      const unknownEmail = await api.loginRaw(uniqueEmail('ghost'), randomText(16));
      const body = expectUnauthorized(wrongPassword);
      expectUnauthorized(unknownEmail);
      expect(body.detail ?? '').not.toMatch(/unknown|not found|no such|exist|registered/i);
      expect(comparable(unknownEmail)).toEqual(comparable(wrongPassword));
      expect(wrongPassword.body).not.toContain('accessToken');
    });

    it('gives a disabled user the same 401 even with the right password', async () => {
      const u = await api.newUser();
      const wrongPassword = await api.loginRaw(u.email, randomText(16));
      expect((await api.patchUser(admin.tokens.accessToken, u.id, { disabled: true })).statusCode).toBe(200);
      const disabled = await api.loginRaw(u.email, u.password);
      expectUnauthorized(disabled);
      expect(comparable(disabled)).toEqual(comparable(wrongPassword));
    });

    it('refuses a body without email or password with 400', async () => {
      const res = await api.inject({ method: 'POST', url: '/v1/auth/login', payload: {} });
      expect(invalidFields(res)).toEqual(['email', 'password']);
    });
  });

  describe('access-token tampering on GET /v1/users/me', () => {
    let victim: TestUser;

    beforeAll(async () => {
      victim = await api.newUser('Victim');
    });

    it('control: a token forged with the right secret, algorithm and claims is accepted', async () => {
      const token = await signHmac(claimsFrom(victim.tokens.accessToken));
      const res = await api.me(token);
      expect(res.statusCode, res.body).toBe(200);
      expect(res.json<UserBody>().id).toBe(victim.id);
    });

    type Case = [string, (u: TestUser) => Promise<Record<string, string>> | Record<string, string>];
    const bearer = async (token: string | Promise<string>) => authHeader(await token);
    const cases: Case[] = [
      ['no Authorization header', () => ({})],
      ['a Basic header', () => ({ authorization: 'Basic dXNlcjpwYXNzd29yZA==' })],
      ['"Bearer" without a token', () => ({ authorization: 'Bearer ' })],
      ['the token without the Bearer scheme', (u) => ({ authorization: u.tokens.accessToken })],
      ['a token that is not a JWT', () => ({ authorization: 'Bearer not-a-jwt' })],
      ['a refresh token used as access token', (u) => authHeader(u.tokens.refreshToken)],
      ['alg: none without a signature', (u) => bearer(unsecuredToken(claimsFrom(u.tokens.accessToken)))],
      [
        'alg: none with an HMAC signature',
        (u) => bearer(hmacUnderHeader(claimsFrom(u.tokens.accessToken), { alg: 'none', typ: 'JWT' })),
      ],
      ['HS384 with the right secret', (u) => bearer(signHmac(claimsFrom(u.tokens.accessToken), { alg: 'HS384' }))],
      ['HS512 with the right secret', (u) => bearer(signHmac(claimsFrom(u.tokens.accessToken), { alg: 'HS512' }))],
      [
        'an RS256 header over an HMAC signature made with the secret',
        (u) => bearer(hmacUnderHeader(claimsFrom(u.tokens.accessToken), { alg: 'RS256', typ: 'JWT' })),
      ],
      ['RS256 signed with a foreign key pair', (u) => bearer(signRs256(claimsFrom(u.tokens.accessToken)))],
      ['a bad signature (one character changed)', (u) => bearer(tamperSignature(u.tokens.accessToken))],
      [
        'another secret',
        (u) =>
          bearer(signHmac(claimsFrom(u.tokens.accessToken), { secret: 'another-secret-of-enough-length-0123456789' })),
      ],
      [
        'a changed payload under the original signature',
        async (u) => {
          const [header, , signature] = u.tokens.accessToken.split('.');
          const payload = Buffer.from(JSON.stringify(decodeJwt(u.tokens.accessToken))).toString('base64url');
          const original = u.tokens.accessToken.split('.')[1];
          expect(payload).toBe(original); // re-encoding the same claims gives the same bytes…
          const changed = { ...decodeJwt(u.tokens.accessToken), role: 'admin', jti: randomUUID() };
          const forged = Buffer.from(JSON.stringify(changed)).toString('base64url'); // …so only the change counts
          return authHeader(`${header}.${forged}.${signature}`);
        },
      ],
      [
        'an expired token',
        (u) => {
          const now = Math.floor(Date.now() / 1000);
          return bearer(signHmac(claimsFrom(u.tokens.accessToken, { iat: now - 3600, exp: now - 60 })));
        },
      ],
      ['a token without exp', (u) => bearer(signHmac(claimsFrom(u.tokens.accessToken, { exp: undefined })))],
      [
        'a token not valid yet (nbf in the future)',
        (u) => bearer(signHmac(claimsFrom(u.tokens.accessToken, { nbf: Math.floor(Date.now() / 1000) + 600 }))),
      ],
      ['a wrong aud', (u) => bearer(signHmac(claimsFrom(u.tokens.accessToken, { aud: 'some-other-api' })))],
      ['a wrong iss', (u) => bearer(signHmac(claimsFrom(u.tokens.accessToken, { iss: 'https://evil.example' })))],
      ['no iss', (u) => bearer(signHmac(claimsFrom(u.tokens.accessToken, { iss: undefined })))],
      ['a non-existent user id', (u) => bearer(signHmac(claimsFrom(u.tokens.accessToken, { sub: randomUUID() })))],
      ['a sub that is not a uuid', (u) => bearer(signHmac(claimsFrom(u.tokens.accessToken, { sub: 'admin' })))],
      [
        'a session version from the future',
        (u) =>
          bearer(signHmac(claimsFrom(u.tokens.accessToken, { sv: 1 + Number(decodeJwt(u.tokens.accessToken).sv) }))),
      ],
    ];

    it.each(cases)('%s → 401 with WWW-Authenticate: Bearer', async (_name, headersFor) => {
      const res = await api.me(undefined, await headersFor(victim));
      const body = expectUnauthorized(res);
      expect(body.type).toBe('https://errors.example.dev/unauthorized');
      expect(res.body).not.toContain(victim.email);
    });

    it('the token of a disabled user → 401 (and its refresh token too)', async () => {
      const u = await api.newUser();
      expect((await api.me(u.tokens.accessToken)).statusCode).toBe(200);
      expect((await api.patchUser(admin.tokens.accessToken, u.id, { disabled: true })).statusCode).toBe(200);
      expectUnauthorized(await api.me(u.tokens.accessToken));
      expectUnauthorized(await api.refresh(u.tokens.refreshToken));
    });

    it('a token issued before logout-all → 401; one issued after works', async () => {
      const u = await api.newUser();
      const other = await api.login(u.email, u.password);
      expect((await api.me(other.accessToken)).statusCode).toBe(200);
      expect((await logoutAll(u.tokens.accessToken)).statusCode).toBe(204);
      expectUnauthorized(await api.me(other.accessToken));
      expectUnauthorized(await api.me(u.tokens.accessToken));
      const fresh = await api.login(u.email, u.password);
      expect((await api.me(fresh.accessToken)).statusCode).toBe(200);
    });
  });

  describe('POST /v1/auth/refresh', () => {
    it('rotates: a new pair each time, and the presented token is used up', async () => {
      const u = await api.newUser();
      const first = await api.refresh(u.tokens.refreshToken);
      expect(first.statusCode, first.body).toBe(200);
      expect(first.headers['cache-control']).toBe('no-store');
      const p2 = first.json<TokenPair>();
      expect(Object.keys(p2).sort()).toEqual(TOKEN_PAIR_FIELDS);
      expect(p2.tokenType).toBe('Bearer');
      expect(p2.refreshToken).not.toBe(u.tokens.refreshToken);
      expect(p2.accessToken).not.toBe(u.tokens.accessToken);
      expect(decodeJwt(p2.accessToken).sub).toBe(u.id);
      expect((await api.me(p2.accessToken)).statusCode).toBe(200);

      const second = await api.refresh(p2.refreshToken);
      expect(second.statusCode, second.body).toBe(200);

      const reused = await api.refresh(u.tokens.refreshToken);
      expectUnauthorized(reused);
      expect(reused.body).not.toContain('accessToken');
    });

    it('reusing a used token revokes the whole family; another session of the user keeps working', async () => {
      const u = await api.newUser();
      const otherSession = await api.login(u.email, u.password);
      const rotated = (await api.refresh(u.tokens.refreshToken)).json<TokenPair>();
      expect(rotated.refreshToken).toEqual(expect.any(String));

      expectUnauthorized(await api.refresh(u.tokens.refreshToken)); // reuse: theft suspected
      expectUnauthorized(await api.refresh(rotated.refreshToken)); // the newest of that family is revoked too

      const other = await api.refresh(otherSession.refreshToken);
      expect(other.statusCode, other.body).toBe(200);
      expect((await api.me(other.json<TokenPair>().accessToken)).statusCode).toBe(200);
    });

    it('concurrent refreshes with the same token: exactly one succeeds', async () => {
      const u = await api.newUser();
      const results = await Promise.all(Array.from({ length: 10 }, () => api.refresh(u.tokens.refreshToken)));
      const statuses = results.map((r) => r.statusCode).sort();
      expect(statuses).toEqual([200, ...Array<number>(9).fill(401)]);
      for (const r of results.filter((r) => r.statusCode !== 200)) expectUnauthorized(r);
    });

    it('an unknown token → 401; a missing or short one → 400', async () => {
      expectUnauthorized(await api.refresh(randomBytes(32).toString('base64url')));
      expect(invalidFields(await api.inject({ method: 'POST', url: '/v1/auth/refresh', payload: {} }))).toEqual([
        'refreshToken',
      ]);
      expect(invalidFields(await api.refresh('short'))).toEqual(['refreshToken']);
    });
  });

  describe('POST /v1/auth/logout and /v1/auth/logout-all', () => {
    it('logout: 204, that family is revoked, another session is untouched', async () => {
      const u = await api.newUser();
      const other = await api.login(u.email, u.password);
      const res = await logout(u.tokens.accessToken, u.tokens.refreshToken);
      expect(res.statusCode, res.body).toBe(204);
      expect(res.body).toBe('');
      expectUnauthorized(await api.refresh(u.tokens.refreshToken));
      // The ended session's access token stops working at once, not when it expires.
      expectUnauthorized(await api.me(u.tokens.accessToken));
      expect((await api.me(other.accessToken)).statusCode).toBe(200);
      expect((await api.refresh(other.refreshToken)).statusCode).toBe(200);
    });

    it('logout needs an access token', async () => {
      const u = await api.newUser();
      expectUnauthorized(await logout(undefined, u.tokens.refreshToken));
      expect((await api.refresh(u.tokens.refreshToken)).statusCode).toBe(200);
    });

    it("logout with another user's refresh token does not end that user's session", async () => {
      const [alice, bob] = [await api.newUser(), await api.newUser()];
      const res = await logout(alice.tokens.accessToken, bob.tokens.refreshToken);
      expect([204, 400, 403, 404]).toContain(res.statusCode);
      expect((await api.refresh(bob.tokens.refreshToken)).statusCode).toBe(200);
    });

    it('logout-all: 204; every refresh token and every outstanding access token → 401; a new login works', async () => {
      const u = await api.newUser();
      const second = await api.login(u.email, u.password);
      const rotated = (await api.refresh(second.refreshToken)).json<TokenPair>();
      expect((await api.me(rotated.accessToken)).statusCode).toBe(200);

      const res = await logoutAll(u.tokens.accessToken);
      expect(res.statusCode, res.body).toBe(204);
      expect(res.body).toBe('');

      expectUnauthorized(await api.refresh(u.tokens.refreshToken));
      expectUnauthorized(await api.refresh(rotated.refreshToken));
      for (const accessToken of [u.tokens.accessToken, second.accessToken, rotated.accessToken]) {
        expectUnauthorized(await api.me(accessToken));
      }

      const fresh = await api.login(u.email, u.password);
      expect((await api.me(fresh.accessToken)).statusCode).toBe(200);
      expect((await api.refresh(fresh.refreshToken)).statusCode).toBe(200);
    });

    it('logout-all needs an access token', async () => {
      expectUnauthorized(await api.inject({ method: 'POST', url: '/v1/auth/logout-all' }));
    });
  });

  it('the hash scanner finds what it looks for (so the next check means something)', () => {
    const token = randomBytes(32).toString('base64url');
    expect(findHashLeaks(['{"h":"$argon2id$v=19$m=19456,t=2,p=1$abc$def"}'], [])).toHaveLength(1);
    expect(findHashLeaks([`{"h":"${sha256Hex(token)}"}`], [token])).not.toEqual([]);
    expect(findHashLeaks([`{"h":"${sha256Hex(token).toUpperCase()}"}`], [token])).not.toEqual([]);
    expect(findHashLeaks([`{"h":"${sha256Hex('other')}"}`], [token])).toEqual([]);
  });

  it('no response in this block contained a password hash or a refresh-token hash', () => {
    expect(api.log.texts.length).toBeGreaterThan(150);
    expect(api.log.refreshTokens.size).toBeGreaterThan(20);
    expect(api.log.leaks()).toEqual([]);
  });
});

// --- rate limits --------------------------------------------------------------------------------------

/** Asserts a 429 problem with an integer `Retry-After` of at least one second (and at most the window). */
function expectRateLimited(res: Injected): void {
  const body = expectProblem(res, 429);
  expect(body.type).toBe('https://errors.example.dev/rate-limited');
  const retryAfter = String(res.headers['retry-after']);
  expect(retryAfter).toMatch(/^\d+$/);
  expect(Number(retryAfter)).toBeGreaterThanOrEqual(1);
  expect(Number(retryAfter)).toBeLessThanOrEqual(60);
}

let clientCounter = 0;
/** A client address no other test uses, so each test starts with a fresh quota. */
const newClientIp = (): string => `10.77.${Math.floor(++clientCounter / 250)}.${(clientCounter % 250) + 1}`;

describeEachDatabase('auth rate limits (RATE_LIMIT_AUTH_PER_MINUTE=4: login per IP+email 2, per IP 4)', (tier) => {
  let db: TestDatabase;
  let t: TestApp;
  let api: AuthApi;

  beforeAll(async () => {
    db = await tier.create();
    t = await bootTestApp({ ...db.env, RATE_LIMIT_AUTH_PER_MINUTE: '4', RATE_LIMIT_PER_MINUTE: '20' });
    api = new AuthApi(t.app);
  });
  afterAll(async () => {
    await t?.close();
    await db?.cleanup();
  });

  const loginFrom = (ip: string, email: string, password = 'wrong-password-123', headers = {}) =>
    api.loginRaw(email, password, { remoteAddress: ip, headers });

  it('login per IP+email: the third attempt → 429 problem+json with Retry-After, even with the right password', async () => {
    const ip = newClientIp();
    const { email, password } = await api.register({}); // from the default address, not `ip`
    expectUnauthorized(await loginFrom(ip, email));
    expectUnauthorized(await loginFrom(ip, email));
    expectRateLimited(await loginFrom(ip, email, password));
    // Another client is not affected and gets in.
    expect((await loginFrom(newClientIp(), email, password)).statusCode).toBe(200);
  });

  it('the email is matched case-insensitively for the per-email limit', async () => {
    const ip = newClientIp();
    const email = uniqueEmail('case');
    expectUnauthorized(await loginFrom(ip, email));
    expectUnauthorized(await loginFrom(ip, email.toUpperCase()));
    expectRateLimited(await loginFrom(ip, ` ${email}`));
  });

  it('per IP: once exhausted, a different email from the same IP is limited too', async () => {
    const ip = newClientIp();
    for (let i = 0; i < 4; i++) expectUnauthorized(await loginFrom(ip, uniqueEmail('spray')));
    expectRateLimited(await loginFrom(ip, uniqueEmail('spray')));
    expectUnauthorized(await loginFrom(newClientIp(), uniqueEmail('spray')));
  });

  it('without TRUST_PROXY a spoofed X-Forwarded-For gets no fresh quota; another peer address does', async () => {
    const ip = newClientIp();
    const email = uniqueEmail('spoof');
    expectUnauthorized(await loginFrom(ip, email));
    expectUnauthorized(await loginFrom(ip, email));
    for (const xff of ['203.0.113.10', '203.0.113.11', '198.51.100.7, 203.0.113.12']) {
      expectRateLimited(await loginFrom(ip, email, undefined, { 'x-forwarded-for': xff }));
    }
    expectUnauthorized(await loginFrom(newClientIp(), email));
  });

  it('register and refresh are limited per IP (4 per minute)', async () => {
    const registerIp = newClientIp();
    for (let i = 0; i < 4; i++) {
      expect((await api.registerRaw({}, { remoteAddress: registerIp })).statusCode).toBe(400);
    }
    expectRateLimited(await api.registerRaw({}, { remoteAddress: registerIp }));

    const refreshIp = newClientIp();
    const refresh = () =>
      api.inject({
        method: 'POST',
        url: '/v1/auth/refresh',
        remoteAddress: refreshIp,
        payload: { refreshToken: randomBytes(32).toString('base64url') },
      });
    for (let i = 0; i < 4; i++) expectUnauthorized(await refresh());
    expectRateLimited(await refresh());
  });

  it('the global per-client limit (20) applies to other routes, but never to /health/live', async () => {
    const u = await api.newUser();
    for (let i = 0; i < 20; i++) expect((await api.me(u.tokens.accessToken)).statusCode).toBe(200);
    expectRateLimited(await api.me(u.tokens.accessToken));

    const ip = newClientIp();
    const statuses = new Set<number>();
    for (let i = 0; i < 50; i++) {
      statuses.add((await api.inject({ method: 'GET', url: '/health/live', remoteAddress: ip })).statusCode);
    }
    expect([...statuses]).toEqual([200]);
  });

  it('requests without valid credentials count against the global per-client (IP) limit too', async () => {
    const ip = newClientIp();
    const anonymous = (i: number) =>
      api.inject({
        method: 'GET',
        url: '/v1/users/me',
        remoteAddress: ip,
        headers: i % 2 === 0 ? {} : authHeader('eyJhbGciOiJIUzI1NiJ9.e30.bm90LWEtc2lnbmF0dXJl'),
      });
    for (let i = 0; i < 20; i++) expectUnauthorized(await anonymous(i));
    expectRateLimited(await anonymous(20));
  });

  it('no response in this block contained a password hash or a refresh-token hash', () => {
    expect(api.log.texts.length).toBeGreaterThan(50);
    expect(api.log.leaks()).toEqual([]);
  });
});

describeEachDatabase('auth rate limits behind a trusted proxy (TRUST_PROXY=127.0.0.1)', (tier) => {
  let db: TestDatabase;
  let t: TestApp;
  let api: AuthApi;

  beforeAll(async () => {
    db = await tier.create();
    t = await bootTestApp({ ...db.env, RATE_LIMIT_AUTH_PER_MINUTE: '4', TRUST_PROXY: '127.0.0.1' });
    api = new AuthApi(t.app);
  });
  afterAll(async () => {
    await t?.close();
    await db?.cleanup();
  });

  const viaPeer = (peer: string, xff: string, email: string) =>
    api.loginRaw(email, 'wrong-password-123', { remoteAddress: peer, headers: { 'x-forwarded-for': xff } });

  it('from the trusted peer, each X-Forwarded-For client address gets its own quota', async () => {
    const email = uniqueEmail('proxied');
    expectUnauthorized(await viaPeer('127.0.0.1', '198.51.100.1', email));
    expectUnauthorized(await viaPeer('127.0.0.1', '198.51.100.1', email));
    expectRateLimited(await viaPeer('127.0.0.1', '198.51.100.1', email));
    expectUnauthorized(await viaPeer('127.0.0.1', '198.51.100.2', email));
  });

  it('the client address is the one the trusted proxy appended, not what the client put before it', async () => {
    const email = uniqueEmail('chain');
    expectUnauthorized(await viaPeer('127.0.0.1', '203.0.113.1, 198.51.100.9', email));
    expectUnauthorized(await viaPeer('127.0.0.1', '203.0.113.2, 198.51.100.9', email));
    expectRateLimited(await viaPeer('127.0.0.1', '203.0.113.3, 198.51.100.9', email));
  });

  it('from a peer that is not trusted, X-Forwarded-For is ignored', async () => {
    const email = uniqueEmail('untrusted');
    expectUnauthorized(await viaPeer('10.1.1.1', '198.51.100.21', email));
    expectUnauthorized(await viaPeer('10.1.1.1', '198.51.100.22', email));
    expectRateLimited(await viaPeer('10.1.1.1', '198.51.100.23', email));
  });
});
