/**
 * __Title__ end to end, on both database tiers: owned by the user who creates them, read and changed by that user
 * or an admin (another user gets a 404), cursor-paginated lists of the caller's own, ETags and `If-Match`.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  adminEnv,
  authHeader,
  expectProblem,
  expectUnauthorized,
  type Injected,
  invalidFields,
  type TestUser,
} from '../support/auth';
import { describeEachDatabase, type TestDatabase } from '../support/databases';
import { etag, expectListOrder, type PageBody, PROBLEM, ShopApi } from '../support/shop';
import { bootTestApp, type TestApp } from '../support/test-app';

interface __Singular__Body {
  id: string;
  ownerId: string;
  name: string;
  note: string;
  version: number;
  createdAt: string;
  updatedAt: string;
}

const BASE = '/v1/__name__';

describeEachDatabase('__title__', (tier) => {
  let db: TestDatabase;
  let t: TestApp;
  let api: ShopApi;
  let alice: TestUser;
  let bob: TestUser;

  const call = (
    user: TestUser | string,
    method: 'GET' | 'POST' | 'PATCH' | 'DELETE',
    url: string,
    payload?: Record<string, unknown>,
    headers: Record<string, string> = {},
  ): Promise<Injected> =>
    api.inject({
      method,
      url,
      payload,
      headers: { ...authHeader(typeof user === 'string' ? user : user.tokens.accessToken), ...headers },
    });

  const create = async (user: TestUser, payload: Record<string, unknown> = { name: 'A name' }) => {
    const res = await call(user, 'POST', BASE, payload);
    expect(res.statusCode, res.body).toBe(201);
    return res.json<__Singular__Body>();
  };

  beforeAll(async () => {
    db = await tier.create();
    t = await bootTestApp({ ...db.env, ...adminEnv() });
    api = await new ShopApi(t.app).init();
    [alice, bob] = await api.newUsers(2);
  });
  afterAll(async () => {
    await t?.close();
    await db?.cleanup();
  });

  it('needs a bearer token: 401 without one', async () => {
    expectUnauthorized(await t.app.inject({ method: 'GET', url: BASE }));
    expectUnauthorized(await t.app.inject({ method: 'POST', url: BASE, payload: { name: 'x' } }));
  });

  it('creates: 201 with Location and ETag, owned by the caller, the name trimmed', async () => {
    const res = await call(alice, 'POST', BASE, { name: '  Trimmed  ', note: 'a note' });
    expect(res.statusCode, res.body).toBe(201);
    const created = res.json<__Singular__Body>();
    expect(created).toMatchObject({ ownerId: alice.id, name: 'Trimmed', note: 'a note', version: 1 });
    expect(res.headers.location).toBe(`${BASE}/${created.id}`);
    expect(res.headers.etag).toBe(etag(created.version));
    expect((await create(alice, { name: 'No note' })).note).toBe('');
  });

  it('refuses invalid input with a 400 naming the fields', async () => {
    expect(invalidFields(await call(alice, 'POST', BASE, {}))).toEqual(['name']);
    expect(invalidFields(await call(alice, 'POST', BASE, { name: '   ', note: 'x'.repeat(2001) }))).toEqual([
      'name',
      'note',
    ]);
    expect(invalidFields(await call(alice, 'POST', BASE, { name: 'ok', ownerId: bob.id }))).toEqual(['ownerId']);
    expect(invalidFields(await call(alice, 'POST', BASE, { name: 'x'.repeat(201), note: null }))).toEqual([
      'name',
      'note',
    ]);
    expectProblem(await call(alice, 'GET', `${BASE}/not-a-uuid`), 400);
  });

  it("reads: the owner and admins get 200 with the ETag, another user 404; If-None-Match gives 304", async () => {
    const mine = await create(alice);
    const own = await call(alice, 'GET', `${BASE}/${mine.id}`);
    expect(own.statusCode, own.body).toBe(200);
    expect(own.json<__Singular__Body>()).toEqual(mine);
    expect(own.headers.etag).toBe(etag(mine.version));

    const notModified = await call(alice, 'GET', `${BASE}/${mine.id}`, undefined, { 'if-none-match': etag(1) });
    expect(notModified.statusCode).toBe(304);

    const asAdmin = await call(api.adminToken, 'GET', `${BASE}/${mine.id.toUpperCase()}`);
    expect(asAdmin.statusCode, asAdmin.body).toBe(200);

    expect(expectProblem(await call(bob, 'GET', `${BASE}/${mine.id}`), 404).type).toBe(PROBLEM.notFound);
    expect(expectProblem(await call(alice, 'GET', `${BASE}/${randomUUID()}`), 404).type).toBe(PROBLEM.notFound);
  });

  it("lists the caller's own only, newest first, page by page; admins see every owner's", async () => {
    const carol = await api.newUser();
    const created: __Singular__Body[] = [];
    for (let i = 0; i < 5; i++) created.push(await create(carol, { name: `Item ${i}` }));
    const bobs = await create(bob);

    const seen: __Singular__Body[] = [];
    let cursor: string | null = null;
    do {
      const url: string = cursor ? `${BASE}?limit=2&cursor=${encodeURIComponent(cursor)}` : `${BASE}?limit=2`;
      const res = await call(carol, 'GET', url);
      expect(res.statusCode, res.body).toBe(200);
      const page: PageBody<__Singular__Body> = res.json();
      expect(page.data.length).toBeLessThanOrEqual(2);
      seen.push(...page.data);
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen.map((row) => row.id).sort()).toEqual(created.map((row) => row.id).sort());
    expectListOrder(seen);

    // A cursor is bound to its list: Carol's does not page through Bob's.
    const first = (await call(carol, 'GET', `${BASE}?limit=2`)).json<PageBody<__Singular__Body>>();
    const foreign = await call(bob, 'GET', `${BASE}?cursor=${encodeURIComponent(first.nextCursor as string)}`);
    expect(invalidFields(foreign)).toEqual(['cursor']);

    const all = await call(api.adminToken, 'GET', `${BASE}?limit=100`);
    expect(all.statusCode, all.body).toBe(200);
    const ids = all.json<PageBody<__Singular__Body>>().data.map((row) => row.id);
    expect(ids).toEqual(expect.arrayContaining([bobs.id, ...created.map((row) => row.id)]));
  });

  it('changes need the ETag last read: 428 without If-Match, 412 when stale, 200 and a new ETag when right', async () => {
    const mine = await create(alice, { name: 'Before' });
    const url = `${BASE}/${mine.id}`;
    expect(expectProblem(await call(alice, 'PATCH', url, { name: 'After' }), 428).type).toBe(PROBLEM.precondition);
    expect(
      expectProblem(await call(alice, 'PATCH', url, { name: 'After' }, { 'if-match': etag(mine.version + 1) }), 412)
        .type,
    ).toBe(PROBLEM.precondition);

    const changed = await call(alice, 'PATCH', url, { name: ' After ' }, { 'if-match': etag(mine.version) });
    expect(changed.statusCode, changed.body).toBe(200);
    const after = changed.json<__Singular__Body>();
    expect(after).toMatchObject({ name: 'After', note: mine.note, version: mine.version + 1 });
    expect(changed.headers.etag).toBe(etag(after.version));

    // The cached read and the owner's list see the change at once.
    expect((await call(alice, 'GET', url)).json<__Singular__Body>().name).toBe('After');
    const list = (await call(alice, 'GET', `${BASE}?limit=100`)).json<PageBody<__Singular__Body>>();
    expect(list.data.find((row) => row.id === mine.id)?.name).toBe('After');

    const stale = await call(alice, 'PATCH', url, { note: 'again' }, { 'if-match': etag(mine.version) });
    expect(expectProblem(stale, 412).type).toBe(PROBLEM.precondition);
    expect(invalidFields(await call(alice, 'PATCH', url, { name: '' }, { 'if-match': etag(after.version) }))).toEqual([
      'name',
    ]);

    // Another user cannot change it (404, not 403); an admin can.
    const asBob = await call(bob, 'PATCH', url, { name: 'Mine now' }, { 'if-match': etag(after.version) });
    expect(expectProblem(asBob, 404).type).toBe(PROBLEM.notFound);
    const asAdmin = await call(api.adminToken, 'PATCH', url, { note: 'by admin' }, { 'if-match': etag(after.version) });
    expect(asAdmin.statusCode, asAdmin.body).toBe(200);
    expect(asAdmin.json<__Singular__Body>()).toMatchObject({ ownerId: alice.id, note: 'by admin' });
  });

  it('deletes: 204 for the owner or an admin, then 404; another user gets a 404 and deletes nothing', async () => {
    const mine = await create(alice);
    const url = `${BASE}/${mine.id}`;
    expect((await call(alice, 'GET', url)).statusCode).toBe(200); // cached, and dropped by the delete below

    expect(expectProblem(await call(bob, 'DELETE', url), 404).type).toBe(PROBLEM.notFound);
    const stale = await call(alice, 'DELETE', url, undefined, { 'if-match': etag(mine.version + 1) });
    expect(expectProblem(stale, 412).type).toBe(PROBLEM.precondition);

    const deleted = await call(alice, 'DELETE', url, undefined, { 'if-match': etag(mine.version) });
    expect(deleted.statusCode, deleted.body).toBe(204);
    expect(deleted.body).toBe('');
    expect(expectProblem(await call(alice, 'GET', url), 404).type).toBe(PROBLEM.notFound);
    expect(expectProblem(await call(alice, 'DELETE', url), 404).type).toBe(PROBLEM.notFound);
    const list = (await call(alice, 'GET', `${BASE}?limit=100`)).json<PageBody<__Singular__Body>>();
    expect(list.data.map((row) => row.id)).not.toContain(mine.id);

    const bobs = await create(bob);
    expect((await call(bob, 'GET', `${BASE}?limit=100`)).statusCode).toBe(200); // Bob's list, cached
    expect((await call(api.adminToken, 'DELETE', `${BASE}/${bobs.id}`)).statusCode).toBe(204);
    const bobsList = (await call(bob, 'GET', `${BASE}?limit=100`)).json<PageBody<__Singular__Body>>();
    expect(bobsList.data.map((row) => row.id)).not.toContain(bobs.id);
  });
});
