import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ADMIN,
  adminEnv,
  AuthApi,
  authHeader,
  claimsFrom,
  expectProblem,
  expectUnauthorized,
  type Injected,
  invalidFields,
  ResponseLog,
  signHmac,
  strongPassword,
  type TestUser,
  type TokenPair,
  uniqueEmail,
  type UserBody,
} from '../support/auth';
import { describeEachDatabase, type TestDatabase } from '../support/databases';
import { bootTestApp, type TestApp } from '../support/test-app';

interface Page {
  data: UserBody[];
  nextCursor: string | null;
}

/** Strictly in the list order: createdAt desc, then id desc. */
function expectListOrder(users: readonly UserBody[]): void {
  for (let i = 1; i < users.length; i++) {
    const [a, b] = [users[i - 1], users[i]];
    const ordered = a.createdAt > b.createdAt || (a.createdAt === b.createdAt && a.id > b.id);
    expect(ordered, `${a.createdAt} ${a.id} must come before ${b.createdAt} ${b.id}`).toBe(true);
  }
}

describeEachDatabase('users routes', (tier) => {
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

  const patchMe = (accessToken: string, payload: Record<string, unknown>): Promise<Injected> =>
    api.inject({ method: 'PATCH', url: '/v1/users/me', headers: authHeader(accessToken), payload });
  const asAdmin = (url: string, accessToken = admin.tokens.accessToken): Promise<Injected> =>
    api.inject({ method: 'GET', url, headers: authHeader(accessToken) });
  const list = async (query: string, accessToken = admin.tokens.accessToken): Promise<Page> => {
    const res = await asAdmin(`/v1/users${query}`, accessToken);
    expect(res.statusCode, res.body).toBe(200);
    return res.json<Page>();
  };
  /** Every page of a list, `limit` at a time, following nextCursor until it is null. */
  const listAll = async (
    filter: string,
    limit: number,
    accessToken = admin.tokens.accessToken,
  ): Promise<{ users: UserBody[]; pages: Page[] }> => {
    const pages: Page[] = [];
    let cursor: string | null = null;
    do {
      const query = `?${filter}${filter ? '&' : ''}limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`;
      const page = await list(query, accessToken);
      pages.push(page);
      cursor = page.nextCursor;
      expect(pages.length).toBeLessThan(200);
    } while (cursor !== null);
    return { users: pages.flatMap((p) => p.data), pages };
  };
  const enabledAdmins = async (accessToken = admin.tokens.accessToken): Promise<UserBody[]> =>
    (await listAll('role=admin', 100, accessToken)).users.filter((u) => !u.disabled);

  describe('GET and PATCH /v1/users/me', () => {
    it('GET returns the own profile; PATCH changes the name', async () => {
      const u = await api.newUser('Old Name');
      const me = await api.me(u.tokens.accessToken);
      expect(me.statusCode).toBe(200);
      expect(me.json()).toMatchObject({ id: u.id, email: u.email, name: 'Old Name', role: 'user' });

      const res = await patchMe(u.tokens.accessToken, { name: 'New Name' });
      expect(res.statusCode, res.body).toBe(200);
      expect(res.json()).toMatchObject({ id: u.id, name: 'New Name', role: 'user' });
      expect(res.json<UserBody>().updatedAt >= me.json<UserBody>().updatedAt).toBe(true);
      expect((await api.me(u.tokens.accessToken)).json<UserBody>().name).toBe('New Name');
      expect(invalidFields(await patchMe(u.tokens.accessToken, { name: '' }))).toEqual(['name']);
    });

    it.each([
      ['role', 'admin'],
      ['disabled', true],
      ['email', 'someone-else@example.test'],
      ['id', randomUUID()],
    ])('refuses %s (not the caller’s to change) with 400 and changes nothing', async (field, value) => {
      const u = await api.newUser();
      expect(invalidFields(await patchMe(u.tokens.accessToken, { name: 'Sneaky', [field]: value }))).toEqual([field]);
      expect((await api.me(u.tokens.accessToken)).json()).toMatchObject({
        id: u.id,
        email: u.email,
        role: 'user',
        disabled: false,
        name: 'Test User',
      });
    });

    it('a password change needs the current password: missing or wrong → 400, nothing changes', async () => {
      const u = await api.newUser();
      const next = strongPassword();
      expect(invalidFields(await patchMe(u.tokens.accessToken, { password: next }))).toEqual(['currentPassword']);
      const wrong = await patchMe(u.tokens.accessToken, { password: next, currentPassword: strongPassword() });
      expect(invalidFields(wrong)).toEqual(['currentPassword']);
      // The new password must meet the policy too.
      const weak = await patchMe(u.tokens.accessToken, { password: 'password1234', currentPassword: u.password });
      expect(invalidFields(weak)).toEqual(['password']);

      expect((await api.loginRaw(u.email, next)).statusCode).toBe(401);
      expect((await api.loginRaw(u.email, u.password)).statusCode).toBe(200);
    });

    it("after a password change the old password fails, other sessions' tokens → 401, this session works", async () => {
      const u = await api.newUser();
      const other = await api.login(u.email, u.password);
      const next = strongPassword();
      const res = await patchMe(u.tokens.accessToken, { password: next, currentPassword: u.password });
      expect(res.statusCode, res.body).toBe(200);
      expect(res.json<UserBody>().id).toBe(u.id);
      expect(res.body).not.toContain(next);

      expectUnauthorized(await api.loginRaw(u.email, u.password));
      expect((await api.loginRaw(u.email, next)).statusCode).toBe(200);
      expectUnauthorized(await api.refresh(other.refreshToken));
      expectUnauthorized(await api.me(other.accessToken));

      expect((await api.me(u.tokens.accessToken)).statusCode).toBe(200);
      const rotated = await api.refresh(u.tokens.refreshToken);
      expect(rotated.statusCode, rotated.body).toBe(200);
      expect((await api.me(rotated.json<TokenPair>().accessToken)).statusCode).toBe(200);
    });

    it('needs an access token', async () => {
      expectUnauthorized(await api.me());
      expectUnauthorized(await api.inject({ method: 'PATCH', url: '/v1/users/me', payload: { name: 'x' } }));
    });
  });

  describe('admin routes: 401 vs 403 vs 404', () => {
    it('without a token → 401 on every admin route', async () => {
      const id = randomUUID();
      for (const [method, url] of [
        ['GET', '/v1/users'],
        ['GET', `/v1/users/${id}`],
        ['PATCH', `/v1/users/${id}`],
        ['GET', '/v1/users/not-a-uuid'],
      ] as const) {
        expectUnauthorized(
          await api.inject({ method, url, payload: method === 'PATCH' ? { role: 'user' } : undefined }),
        );
      }
    });

    it('as a user → 403 on every admin route, even for the own id or an unknown one', async () => {
      const u = await api.newUser();
      for (const [method, url] of [
        ['GET', '/v1/users'],
        ['GET', '/v1/users?role=admin'],
        ['GET', `/v1/users/${u.id}`],
        ['GET', `/v1/users/${randomUUID()}`],
        ['PATCH', `/v1/users/${u.id}`],
        ['PATCH', `/v1/users/${admin.id}`],
      ] as const) {
        const res = await api.inject({
          method,
          url,
          headers: authHeader(u.tokens.accessToken),
          payload: method === 'PATCH' ? { role: 'admin' } : undefined,
        });
        const body = expectProblem(res, 403);
        expect(body.type).toBe('https://errors.example.dev/forbidden');
      }
      expect((await api.me(u.tokens.accessToken)).json<UserBody>().role).toBe('user');
      expect((await asAdmin(`/v1/users/${admin.id}`)).json<UserBody>().role).toBe('admin');
    });

    it("the role comes from the account, not the token: a token claiming 'admin' still gets 403", async () => {
      const u = await api.newUser();
      const token = await signHmac(claimsFrom(u.tokens.accessToken, { role: 'admin' }));
      expect((await api.me(token)).statusCode).toBe(200); // the token itself is valid…
      expectProblem(await asAdmin('/v1/users', token), 403); // …but grants nothing
    });

    it('as admin: unknown id → 404 (GET and PATCH), a non-uuid id → 400', async () => {
      const id = randomUUID();
      const body = expectProblem(await asAdmin(`/v1/users/${id}`), 404);
      expect(body.type).toBe('https://errors.example.dev/not-found');
      expectProblem(await api.patchUser(admin.tokens.accessToken, id, { role: 'user' }), 404);
      expectProblem(await asAdmin('/v1/users/not-a-uuid'), 400);
      expectProblem(await api.patchUser(admin.tokens.accessToken, 'not-a-uuid', { role: 'user' }), 400);
    });

    it('as admin: GET /v1/users/:id returns the user', async () => {
      const { user } = await api.register({ name: 'Looked Up' });
      const res = await asAdmin(`/v1/users/${user.id}`);
      expect(res.statusCode).toBe(200);
      expect(res.json()).toEqual(user);
    });
  });

  describe('GET /v1/users (admin list)', () => {
    it('pages with limit=2 until nextCursor is null: everyone exactly once, createdAt desc', async () => {
      const created: string[] = [];
      for (let i = 0; i < 5; i++) created.push((await api.register({ name: `Paged ${i}` })).user.id);

      const { users, pages } = await listAll('', 2);
      const ids = users.map((u) => u.id);
      expect(new Set(ids).size).toBe(ids.length);
      for (const id of created) expect(ids).toContain(id);
      expect(ids).toContain(admin.id);
      expect(pages.length).toBe(Math.ceil(ids.length / 2));
      for (const page of pages.slice(0, -1)) {
        expect(page.data).toHaveLength(2);
        expect(page.nextCursor).toMatch(/^[A-Za-z0-9_-]+$/);
      }
      expect(pages.at(-1)?.nextCursor).toBeNull();
      expectListOrder(users);
      // The newest registrations come first, in reverse order of creation.
      expect(ids.filter((id) => created.includes(id))).toEqual([...created].reverse());
      // Paging returns exactly what a single large page does.
      expect(ids).toEqual((await list('?limit=100')).data.map((u) => u.id));
      // The default limit is 20.
      const first = await list('');
      expect(first.data.length).toBe(Math.min(20, ids.length));
    });

    it('filters by role and by email (case-insensitive), and pages within a filter', async () => {
      const u = await api.newUser();
      const admins = (await list('?role=admin&limit=100')).data;
      expect(admins.length).toBeGreaterThan(0);
      expect(admins.every((x) => x.role === 'admin')).toBe(true);
      expect(admins.map((x) => x.id)).toContain(admin.id);
      expect(admins.map((x) => x.id)).not.toContain(u.id);

      const { users: plain } = await listAll('role=user', 2);
      expect(plain.every((x) => x.role === 'user')).toBe(true);
      expect(plain.map((x) => x.id)).toContain(u.id);
      expect(plain.map((x) => x.id)).not.toContain(admin.id);
      expectListOrder(plain);
      expect(plain.map((x) => x.id)).toEqual((await list('?role=user&limit=100')).data.map((x) => x.id));

      const byEmail = await list(`?email=${encodeURIComponent(u.email.toUpperCase())}`);
      expect(byEmail).toEqual({ data: [expect.objectContaining({ id: u.id, email: u.email })], nextCursor: null });
      expect(await list(`?email=${encodeURIComponent(uniqueEmail('nobody'))}`)).toEqual({ data: [], nextCursor: null });
      expect((await list(`?role=user&email=${encodeURIComponent(ADMIN.email)}`)).data).toEqual([]);
    });

    it('refuses bad query parameters with 400: limit=101, limit=0, unknown role, bad email, unknown parameter', async () => {
      expect(invalidFields(await asAdmin('/v1/users?limit=101'))).toEqual(['limit']);
      expect(invalidFields(await asAdmin('/v1/users?limit=0'))).toEqual(['limit']);
      expect(invalidFields(await asAdmin('/v1/users?role=root'))).toEqual(['role']);
      expect(invalidFields(await asAdmin('/v1/users?email=not-an-email'))).toEqual(['email']);
      expect(invalidFields(await asAdmin('/v1/users?sort=email'))).toEqual(['sort']);
      expect((await asAdmin('/v1/users?limit=100')).statusCode).toBe(200);
    });

    it('refuses forged cursors and cursors from another filter with 400', async () => {
      for (let i = 0; i < 3; i++) await api.register();
      const page = await list('?role=user&limit=1');
      const cursor = page.nextCursor as string;
      expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
      // Control: the cursor works where it came from.
      expect((await asAdmin(`/v1/users?role=user&limit=1&cursor=${cursor}`)).statusCode).toBe(200);

      const mid = Math.floor(cursor.length / 2);
      const flipped = `${cursor.slice(0, mid)}${cursor[mid] === 'A' ? 'B' : 'A'}${cursor.slice(mid + 1)}`;
      const forged = [flipped, randomBytes(57).toString('base64url'), 'abc', `${cursor}A`];
      for (const bad of forged) {
        expect(invalidFields(await asAdmin(`/v1/users?role=user&limit=1&cursor=${bad}`))).toEqual(['cursor']);
      }
      for (const otherFilter of ['role=admin&', '', `email=${encodeURIComponent(admin.email)}&`]) {
        const res = await asAdmin(`/v1/users?${otherFilter}limit=1&cursor=${cursor}`);
        expect(invalidFields(res), otherFilter).toEqual(['cursor']);
      }
    });
  });

  describe('PATCH /v1/users/:id (admin)', () => {
    it('changes role and disabled; the change takes effect on existing tokens', async () => {
      const u = await api.newUser();
      const promoted = await api.patchUser(admin.tokens.accessToken, u.id, { role: 'admin' });
      expect(promoted.statusCode, promoted.body).toBe(200);
      expect(promoted.json()).toMatchObject({ id: u.id, role: 'admin', disabled: false });
      expect((await asAdmin('/v1/users', u.tokens.accessToken)).statusCode).toBe(200);

      const demoted = await api.patchUser(admin.tokens.accessToken, u.id, { role: 'user' });
      expect(demoted.json()).toMatchObject({ id: u.id, role: 'user' });
      expectProblem(await asAdmin('/v1/users', u.tokens.accessToken), 403);

      const wrongPassword = await api.loginRaw(u.email, strongPassword());
      const disabled = await api.patchUser(admin.tokens.accessToken, u.id, { disabled: true });
      expect(disabled.json()).toMatchObject({ id: u.id, disabled: true });
      expectUnauthorized(await api.me(u.tokens.accessToken));
      expectUnauthorized(await api.refresh(u.tokens.refreshToken));
      const login = await api.loginRaw(u.email, u.password);
      expectUnauthorized(login);
      expect(login.json<{ detail: string }>().detail).toBe(wrongPassword.json<{ detail: string }>().detail);
      expect((await asAdmin(`/v1/users/${u.id}`)).json<UserBody>().disabled).toBe(true);

      const enabled = await api.patchUser(admin.tokens.accessToken, u.id, { disabled: false });
      expect(enabled.json()).toMatchObject({ id: u.id, disabled: false });
      expect((await api.me((await api.login(u.email, u.password)).accessToken)).statusCode).toBe(200);
    });

    it('refuses fields it does not know and values out of range with 400', async () => {
      const u = await api.newUser();
      const token = admin.tokens.accessToken;
      expect(invalidFields(await api.patchUser(token, u.id, { email: 'x@example.test' }))).toEqual(['email']);
      expect(invalidFields(await api.patchUser(token, u.id, { role: 'root' }))).toEqual(['role']);
      expect(invalidFields(await api.patchUser(token, u.id, { disabled: 'yes' }))).toEqual(['disabled']);
      expect((await asAdmin(`/v1/users/${u.id}`)).json()).toMatchObject({ role: 'user', disabled: false });
    });

    it('the last enabled admin cannot demote or disable themself (409); a disabled admin does not count', async () => {
      // Precondition: the bootstrap admin is the only enabled admin (other tests restore what they change).
      expect((await enabledAdmins()).map((a) => a.id)).toEqual([admin.id]);
      const token = admin.tokens.accessToken;
      for (const change of [{ role: 'user' }, { disabled: true }, { role: 'user', disabled: true }]) {
        const body = expectProblem(await api.patchUser(token, admin.id, change), 409);
        expect(body.type).toBe('https://errors.example.dev/conflict');
      }
      expect((await api.patchUser(token, admin.id, { role: 'admin', disabled: false })).statusCode).toBe(200);

      // A second admin who is disabled does not make the first one removable.
      const other = await api.newUser();
      expect((await api.patchUser(token, other.id, { role: 'admin' })).statusCode).toBe(200);
      expect((await api.patchUser(token, other.id, { disabled: true })).statusCode).toBe(200);
      expectProblem(await api.patchUser(token, admin.id, { role: 'user' }), 409);
      expect((await api.patchUser(token, other.id, { role: 'user', disabled: false })).statusCode).toBe(200);

      expect((await asAdmin(`/v1/users/${admin.id}`)).json()).toMatchObject({ role: 'admin', disabled: false });
      expect((await enabledAdmins()).map((a) => a.id)).toEqual([admin.id]);
    });

    it('with two admins one may demote the other; then the remaining one is the last', async () => {
      const second = await api.newUser();
      expect((await api.patchUser(admin.tokens.accessToken, second.id, { role: 'admin' })).statusCode).toBe(200);

      // The second admin demotes the bootstrap admin, whose token then stops opening admin routes.
      const res = await api.patchUser(second.tokens.accessToken, admin.id, { role: 'user' });
      expect(res.statusCode, res.body).toBe(200);
      expect(res.json()).toMatchObject({ id: admin.id, role: 'user' });
      expectProblem(await asAdmin('/v1/users'), 403);
      expectProblem(await api.patchUser(second.tokens.accessToken, second.id, { role: 'user' }), 409);

      // Restore: the bootstrap admin again, and the second one demoted by it.
      expect((await api.patchUser(second.tokens.accessToken, admin.id, { role: 'admin' })).statusCode).toBe(200);
      expect((await api.patchUser(admin.tokens.accessToken, second.id, { role: 'user' })).statusCode).toBe(200);
      expectProblem(await asAdmin('/v1/users', second.tokens.accessToken), 403);
      expect((await enabledAdmins()).map((a) => a.id)).toEqual([admin.id]);
    });

    it('two admins demoting each other at once leave exactly one admin', async () => {
      const second = await api.newUser();
      expect((await api.patchUser(admin.tokens.accessToken, second.id, { role: 'admin' })).statusCode).toBe(200);
      const [a, b] = await Promise.all([
        api.patchUser(admin.tokens.accessToken, second.id, { role: 'user' }),
        api.patchUser(second.tokens.accessToken, admin.id, { role: 'user' }),
      ]);
      expect([a.statusCode, b.statusCode].filter((s) => s === 200)).toHaveLength(1);
      expect([a.statusCode, b.statusCode].filter((s) => s !== 200).every((s) => s === 409 || s === 403)).toBe(true);

      // Whoever is left restores the starting state (bootstrap admin only).
      const remaining = a.statusCode === 200 ? admin : second;
      // Listed by the one still allowed to: the other may have lost the race and its admin role.
      const admins = (await enabledAdmins(remaining.tokens.accessToken)).map((x) => x.id);
      expect(admins).toEqual([remaining.id]);
      if (remaining === second) {
        expect((await api.patchUser(second.tokens.accessToken, admin.id, { role: 'admin' })).statusCode).toBe(200);
        expect((await api.patchUser(admin.tokens.accessToken, second.id, { role: 'user' })).statusCode).toBe(200);
      }
      expect((await enabledAdmins()).map((x) => x.id)).toEqual([admin.id]);
    });
  });

  it('no response in this block contained a password hash or a refresh-token hash', () => {
    expect(api.log.texts.length).toBeGreaterThan(150);
    expect(api.log.refreshTokens.size).toBeGreaterThan(10);
    expect(api.log.texts.some((text) => text.includes('"nextCursor"'))).toBe(true);
    expect(api.log.leaks()).toEqual([]);
  });
});

describeEachDatabase('admin bootstrap from ADMIN_EMAIL / ADMIN_PASSWORD', (tier) => {
  let db: TestDatabase;
  const log = new ResponseLog();
  const open: TestApp[] = [];

  beforeAll(async () => {
    db = await tier.create();
  });
  afterAll(async () => {
    for (const t of open.splice(0)) await t.close();
    await db?.cleanup();
  });

  /** Boots `replicas` apps on the shared database at once (PGlite: one process per data directory). */
  const boot = async (replicas = 1): Promise<AuthApi[]> => {
    const apps = await Promise.all(Array.from({ length: replicas }, () => bootTestApp({ ...db.env, ...adminEnv() })));
    open.push(...apps);
    return apps.map((t) => new AuthApi(t.app, log));
  };
  const shutdown = async (): Promise<void> => {
    for (const t of open.splice(0)) await t.close();
  };
  const adminsByEmail = async (api: AuthApi, token: string): Promise<UserBody[]> => {
    const res = await api.inject({
      method: 'GET',
      url: `/v1/users?email=${encodeURIComponent(ADMIN.email)}`,
      headers: authHeader(token),
    });
    expect(res.statusCode, res.body).toBe(200);
    return res.json<Page>().data;
  };

  it('the first boot creates an enabled admin with those credentials', async () => {
    const [api] = await boot();
    const admin = await api.admin();
    const me = await api.me(admin.tokens.accessToken);
    expect(me.statusCode).toBe(200);
    expect(me.json()).toMatchObject({ email: ADMIN.email, role: 'admin', disabled: false });
    await shutdown();
  });

  it(`booting again on the same database is idempotent${tier.name === 'postgres' ? ' (two replicas at once)' : ''}`, async () => {
    const apis = await boot(tier.name === 'postgres' ? 2 : 1);
    for (const api of apis) {
      const admin = await api.admin();
      const found = await adminsByEmail(api, admin.tokens.accessToken);
      expect(found).toHaveLength(1);
      expect(found[0]).toMatchObject({ email: ADMIN.email, role: 'admin', disabled: false });
      const admins = await api.inject({
        method: 'GET',
        url: '/v1/users?role=admin',
        headers: authHeader(admin.tokens.accessToken),
      });
      expect(admins.json<Page>().data.map((u) => u.email)).toEqual([ADMIN.email]);
    }
    await shutdown();
  });

  it('the next boot restores an admin that was demoted, disabled, and given another password', async () => {
    const [api] = await boot();
    const admin = await api.admin();
    const deputy = await api.newUser('Deputy');
    expect((await api.patchUser(admin.tokens.accessToken, deputy.id, { role: 'admin' })).statusCode).toBe(200);
    const changed = await api.inject({
      method: 'PATCH',
      url: '/v1/users/me',
      headers: authHeader(admin.tokens.accessToken),
      payload: { password: strongPassword(), currentPassword: ADMIN.password },
    });
    expect(changed.statusCode, changed.body).toBe(200);
    const demoted = await api.patchUser(deputy.tokens.accessToken, admin.id, { role: 'user', disabled: true });
    expect(demoted.json()).toMatchObject({ role: 'user', disabled: true });
    expectUnauthorized(await api.loginRaw(ADMIN.email, ADMIN.password));
    await shutdown();

    const [again] = await boot();
    const restored = await again.admin(); // the configured password works again
    expect(restored.id).toBe(admin.id);
    const me = await again.me(restored.tokens.accessToken);
    expect(me.json()).toMatchObject({ id: admin.id, email: ADMIN.email, role: 'admin', disabled: false });
    expect((await adminsByEmail(again, restored.tokens.accessToken)).map((u) => u.id)).toEqual([admin.id]);
    // The deputy was left alone.
    const deputyNow = await again.inject({
      method: 'GET',
      url: `/v1/users/${deputy.id}`,
      headers: authHeader(restored.tokens.accessToken),
    });
    expect(deputyNow.json()).toMatchObject({ role: 'admin', disabled: false });
    await shutdown();
  });

  it('no response in this block contained a password hash or a refresh-token hash', () => {
    expect(log.texts.length).toBeGreaterThan(20);
    expect(log.leaks()).toEqual([]);
  });
});
