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

    it('logout', async () => {
      const user = await onA.newUser();
      await expectEnforced(
        user,
        me,
        async () => {
          const res = await onA.inject({
            method: 'POST',
            url: '/v1/auth/logout',
            headers: authHeader(user.tokens.accessToken),
            payload: { refreshToken: user.tokens.refreshToken },
          });
          expect(res.statusCode).toBe(204);
        },
        401,
      );
    });

    it('logout-all', async () => {
      const user = await onA.newUser();
      await expectEnforced(
        user,
        me,
        async () => {
          const res = await onA.inject({
            method: 'POST',
            url: '/v1/auth/logout-all',
            headers: authHeader(user.tokens.accessToken),
          });
          expect(res.statusCode).toBe(204);
        },
        401,
      );
    });

    it('disabling the account', async () => {
      const user = await onA.newUser();
      await expectEnforced(
        user,
        me,
        async () => {
          expect((await onA.patchUser(adminToken, user.id, { disabled: true })).statusCode).toBe(200);
        },
        401,
      );
    });

    it('a password change ends the other sessions', async () => {
      const user = await onA.newUser();
      const other = { ...user, tokens: await onA.login(user.email, user.password) };
      await expectEnforced(
        other,
        me,
        async () => {
          const res = await onA.inject({
            method: 'PATCH',
            url: '/v1/users/me',
            headers: authHeader(user.tokens.accessToken),
            payload: { password: strongPassword(), currentPassword: user.password },
          });
          expect(res.statusCode).toBe(200);
        },
        401,
      );
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
