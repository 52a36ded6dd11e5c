import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CALLER_CACHE_TTL_MS } from '@app/auth';
import { adminEnv, AuthApi, authHeader, strongPassword, type TestUser } from '../support/auth';
import { postgresTier, type TestDatabase } from '../support/databases';
import { bootTestApp, type TestApp } from '../support/test-app';

/**
 * Authentication reuses what it looked up about a caller for up to a second (CallerCache). Every change that
 * ends access must still take effect at once on the replica that made it, and within that second on every other
 * replica: two app instances on one PostgreSQL database, each warmed up with the token first.
 */
const BOUND_MS = CALLER_CACHE_TTL_MS + 500; // the TTL, plus scheduling slack on a busy 2-core machine

describe.skipIf(postgresTier.skipReason !== undefined)(
  `changes to access reach every replica within ${CALLER_CACHE_TTL_MS} ms${postgresTier.skipReason ? ` (skipped: ${postgresTier.skipReason})` : ''}`,
  () => {
    let db: TestDatabase;
    let a: TestApp;
    let b: TestApp;
    let onA: AuthApi;
    let onB: AuthApi;
    let adminToken: string;

    beforeAll(async () => {
      db = await postgresTier.create();
      a = await bootTestApp({ ...db.env, ...adminEnv() });
      b = await bootTestApp({ ...db.env, ...adminEnv() });
      onA = new AuthApi(a.app);
      onB = new AuthApi(b.app);
      adminToken = (await onA.admin()).tokens.accessToken;
    });
    afterAll(async () => {
      await Promise.all([a?.close(), b?.close()]);
      await db?.cleanup();
    });

    /** Polls `status()` until it answers `expected`; returns how long that took. */
    async function timeUntil(status: () => Promise<number>, expected: number): Promise<number> {
      const started = performance.now();
      while (performance.now() - started < 5_000) {
        if ((await status()) === expected) return performance.now() - started;
        await sleep(25);
      }
      throw new Error(`still not ${expected} after 5 s`);
    }

    /** Warms both replicas with the token, applies `change` on A, and checks both refuse it as `refused`. */
    async function expectEnforced(
      user: TestUser,
      request: (api: AuthApi, token: string) => Promise<number>,
      change: () => Promise<void>,
      refused: number,
    ): Promise<void> {
      const token = user.tokens.accessToken;
      expect(await request(onA, token)).toBe(200);
      expect(await request(onB, token)).toBe(200);
      await change();
      expect(await request(onA, token), 'at once on the replica that made the change').toBe(refused);
      expect(await timeUntil(() => request(onB, token), refused)).toBeLessThan(BOUND_MS);
    }

    const me = async (api: AuthApi, token: string) => (await api.me(token)).statusCode;

    /** As `user`, on replica A: the write that must end the access of `token`. */
    const asUser = (user: TestUser, method: 'POST' | 'PATCH', url: string, payload?: Record<string, unknown>) =>
      onA.inject({ method, url, headers: authHeader(user.tokens.accessToken), ...(payload ? { payload } : {}) });

    const changes: Array<[string, number, (user: TestUser) => Promise<number>]> = [
      [
        'logout',
        204,
        async (user) =>
          (await asUser(user, 'POST', '/v1/auth/logout', { refreshToken: user.tokens.refreshToken })).statusCode,
      ],
      ['logout-all', 204, async (user) => (await asUser(user, 'POST', '/v1/auth/logout-all')).statusCode],
      [
        'disabling the account',
        200,
        async (user) => (await onA.patchUser(adminToken, user.id, { disabled: true })).statusCode,
      ],
      [
        'a password change (ends the other sessions)',
        200,
        async (user) =>
          (await asUser(user, 'PATCH', '/v1/users/me', { password: strongPassword(), currentPassword: user.password }))
            .statusCode,
      ],
    ];

    it.each(changes)('%s', async (name, status, change) => {
      const user = await onA.newUser();
      // A password change keeps the session that made it: the token under test is another login's.
      const watched = name.startsWith('a password change')
        ? { ...user, tokens: await onA.login(user.email, user.password) }
        : user;
      await expectEnforced(watched, me, async () => expect(await change(user)).toBe(status), 401);
    });

    it('a role change', async () => {
      const user = await onA.newUser();
      expect((await onA.patchUser(adminToken, user.id, { role: 'admin' })).statusCode).toBe(200);
      const listUsers = async (api: AuthApi, token: string) =>
        (await api.inject({ method: 'GET', url: '/v1/users?limit=1', headers: authHeader(token) })).statusCode;
      await expectEnforced(
        user,
        listUsers,
        async () => {
          expect((await onA.patchUser(adminToken, user.id, { role: 'user' })).statusCode).toBe(200);
        },
        403,
      );
    });
  },
);
