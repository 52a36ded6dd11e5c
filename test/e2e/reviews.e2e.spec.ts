import { afterAll, beforeAll, expect, it } from 'vitest';
import { EventDispatcher } from '@app/events';
import { adminEnv, authHeader, expectProblem, expectUnauthorized, invalidFields, type TestUser } from '../support/auth';
import { describeEachDatabase, type TestDatabase } from '../support/databases';
import { etag, PROBLEM, type ProductBody, ShopApi } from '../support/shop';
import { bootTestApp, type TestApp } from '../support/test-app';

interface ReviewBody {
  id: string;
  productId: string;
  userId: string;
  rating: number;
  comment: string | null;
  createdAt: string;
  updatedAt: string;
  version: number;
}

const UNKNOWN = '00000000-0000-4000-8000-000000000000';

/**
 * Product reviews, the feature built on its neighbours' public APIs (catalog: does the product exist; orders: has
 * the caller bought it) and feeding the product's rating back to the catalog through events, without a cycle.
 */
describeEachDatabase('product reviews', (tier) => {
  let db: TestDatabase;
  let t: TestApp;
  let api: ShopApi;
  let alice: TestUser;
  let bob: TestUser;
  let carol: TestUser;

  beforeAll(async () => {
    db = await tier.create();
    t = await bootTestApp({ ...db.env, ...adminEnv() });
    api = await new ShopApi(t.app).init();
    [alice, bob, carol] = await api.newUsers(3);
  });
  afterAll(async () => {
    await t?.close();
    await db?.cleanup();
  });

  const request = (
    method: 'GET' | 'POST' | 'PATCH' | 'DELETE',
    url: string,
    user: TestUser | string | undefined,
    payload?: unknown,
    headers: Record<string, string> = {},
  ) =>
    t.app.inject({
      method,
      url,
      headers: { ...(user ? authHeader(typeof user === 'string' ? user : user.tokens.accessToken) : {}), ...headers },
      ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }),
    });
  const post = (user: TestUser, productId: string, payload: unknown) =>
    request('POST', `/v1/products/${productId}/reviews`, user, payload);
  const list = (user: TestUser, productId: string, query = '') =>
    request('GET', `/v1/products/${productId}/reviews${query}`, user);

  /** A product `user` has bought (its order is paid). */
  const bought = async (...users: TestUser[]): Promise<ProductBody> => {
    const product = await api.createProduct({ stock: 50 });
    for (const user of users) {
      const order = await api.order(user.tokens.accessToken, [{ productId: product.id, quantity: 1 }]);
      await api.advanceOrder(order, 'paid');
    }
    return product;
  };
  const review = async (user: TestUser, productId: string, payload: unknown): Promise<ReviewBody> => {
    const res = await post(user, productId, payload);
    expect(res.statusCode, res.body).toBe(201);
    return res.json<ReviewBody>();
  };
  /** The product as the API answers it, once its rating has caught up with the events (within a second or two). */
  const ratingOf = async (productId: string, expected: ProductBody['rating']): Promise<ProductBody> => {
    const deadline = Date.now() + 5000;
    for (;;) {
      await t.app.get(EventDispatcher).idle();
      const product = await api.product(productId);
      if (JSON.stringify(product.rating) === JSON.stringify(expected) || Date.now() > deadline) {
        expect(product.rating).toEqual(expected);
        return product;
      }
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  };

  it('needs a bearer token', async () => {
    expectUnauthorized(await request('GET', `/v1/products/${UNKNOWN}/reviews`, undefined));
    expectUnauthorized(await request('POST', `/v1/products/${UNKNOWN}/reviews`, undefined, { rating: 5 }));
  });

  it('only a customer who bought the product reviews it, once', async () => {
    const product = await api.createProduct({ stock: 10 });
    expect(expectProblem(await post(alice, UNKNOWN, { rating: 5 }), 404).type).toBe(PROBLEM.notFound);
    expect(expectProblem(await post(alice, product.id, { rating: 5 }), 403).type).toBe(PROBLEM.purchaseRequired);

    // A pending order is not a purchase; a paid one is.
    const order = await api.order(alice.tokens.accessToken, [{ productId: product.id, quantity: 1 }]);
    expect(expectProblem(await post(alice, product.id, { rating: 5 }), 403).type).toBe(PROBLEM.purchaseRequired);
    await api.advanceOrder(order, 'paid');

    const res = await post(alice, product.id, { rating: 5, comment: '  Keeps coffee hot.  ' });
    expect(res.statusCode, res.body).toBe(201);
    const created = res.json<ReviewBody>();
    expect(created).toMatchObject({ productId: product.id, userId: alice.id, rating: 5, comment: 'Keeps coffee hot.' });
    expect(res.headers.location).toBe(`/v1/reviews/${created.id}`);
    expect(res.headers.etag).toBe(etag(1));

    expect(expectProblem(await post(alice, product.id, { rating: 1 }), 409).type).toBe(PROBLEM.conflict);
  });

  it('refuses invalid input with 400 naming the fields', async () => {
    const product = await bought(bob);
    for (const rating of [0, 6, 4.5, '5', null]) {
      expect(invalidFields(await post(bob, product.id, { rating })), String(rating)).toEqual(['rating']);
    }
    expect(invalidFields(await post(bob, product.id, { rating: 3, comment: 'x'.repeat(2001) }))).toEqual(['comment']);
    expect(invalidFields(await post(bob, product.id, { rating: 3, comment: '   ' }))).toEqual(['comment']);
    expect(invalidFields(await post(bob, product.id, { rating: 3, stars: 5 }))).toEqual(['stars']);
    expect(invalidFields(await request('POST', `/v1/products/not-a-uuid/reviews`, bob, { rating: 3 }))).toEqual(['id']);
    // 2,000 characters outside the Basic Multilingual Plane (each a surrogate pair in JSON) fit.
    const long = await review(bob, product.id, { rating: 3, comment: '😀'.repeat(2000) });
    expect([...(long.comment ?? '')]).toHaveLength(2000);
  });

  it("lists a product's reviews newest first, by cursor, and a new review shows at once despite the cache", async () => {
    const product = await bought(alice, bob, carol);
    expect(expectProblem(await list(alice, UNKNOWN), 404).type).toBe(PROBLEM.notFound);
    const empty = await list(alice, product.id);
    expect(empty.json()).toEqual({ data: [], nextCursor: null });

    const first = await review(alice, product.id, { rating: 4 });
    const second = await review(bob, product.id, { rating: 2, comment: 'Chipped' });
    const third = await review(carol, product.id, { rating: 5 });

    const page1 = (await list(carol, product.id, '?limit=2')).json<{ data: ReviewBody[]; nextCursor: string }>();
    expect(page1.data.map((r) => r.id)).toEqual([third.id, second.id]);
    const page2 = (await list(carol, product.id, `?limit=2&cursor=${encodeURIComponent(page1.nextCursor)}`)).json<{
      data: ReviewBody[];
      nextCursor: string | null;
    }>();
    expect(page2).toEqual({ data: [first], nextCursor: null });

    // Another product's cursor is refused.
    const other = await bought(alice);
    expect((await list(alice, other.id, `?cursor=${encodeURIComponent(page1.nextCursor)}`)).statusCode).toBe(400);
  });

  it("feeds the product's average rating and count, in the product and in product lists", async () => {
    const product = await bought(alice, bob, carol);
    expect(product.rating).toEqual({ average: null, count: 0 });
    const before = await api.product(product.id); // now cached

    await review(alice, product.id, { rating: 5 });
    await review(bob, product.id, { rating: 4 });
    const rated = await ratingOf(product.id, { average: 4.5, count: 2 });
    expect(rated.version).toBeGreaterThan(before.version); // a new ETag: If-None-Match does not hide the change

    await review(carol, product.id, { rating: 4 });
    await ratingOf(product.id, { average: 4.33, count: 3 });
    const listed = await api.listProducts(alice.tokens.accessToken, '?limit=100');
    expect(listed.data.find((p) => p.id === product.id)?.rating).toEqual({ average: 4.33, count: 3 });
  });

  it('authors edit their own review with If-Match; nobody else does, admins included', async () => {
    const product = await bought(alice, bob);
    const mine = await review(alice, product.id, { rating: 2, comment: 'Meh' });
    const url = `/v1/reviews/${mine.id}`;

    expect(expectProblem(await request('PATCH', url, bob, { rating: 5 }, { 'if-match': etag(1) }), 404).type).toBe(
      PROBLEM.notFound,
    );
    expect((await request('PATCH', url, api.adminToken, { rating: 5 }, { 'if-match': etag(1) })).statusCode).toBe(404);
    expect(expectProblem(await request('PATCH', url, alice, { rating: 5 }), 428).type).toBe(PROBLEM.precondition);
    expect((await request('PATCH', url, alice, { rating: 5 }, { 'if-match': etag(9) })).statusCode).toBe(412);
    expect(invalidFields(await request('PATCH', url, alice, { rating: 9 }, { 'if-match': etag(1) }))).toEqual([
      'rating',
    ]);

    const read = await request('GET', url, bob);
    expect(read.statusCode).toBe(200);
    expect(read.headers.etag).toBe(etag(1));
    expect((await request('GET', url, bob, undefined, { 'if-none-match': etag(1) })).statusCode).toBe(304);

    const changed = await request('PATCH', url, alice, { rating: 4, comment: null }, { 'if-match': etag(1) });
    expect(changed.statusCode, changed.body).toBe(200);
    expect(changed.json()).toMatchObject({ rating: 4, comment: null, version: 2 });
    expect(changed.headers.etag).toBe(etag(2));
    // The cached answers followed.
    expect((await request('GET', url, bob)).json()).toMatchObject({ rating: 4, version: 2 });
    expect((await list(bob, product.id)).json<{ data: ReviewBody[] }>().data[0]).toMatchObject({ rating: 4 });
    await ratingOf(product.id, { average: 4, count: 1 });
  });

  it('authors and admins delete; the review, its lists and the rating follow', async () => {
    const product = await bought(alice, bob);
    const mine = await review(alice, product.id, { rating: 1, comment: 'x'.repeat(1500) });
    const his = await review(bob, product.id, { rating: 5 });
    await ratingOf(product.id, { average: 3, count: 2 });
    expect((await list(carol, product.id)).json<{ data: ReviewBody[] }>().data).toHaveLength(2); // cached now

    expect((await request('DELETE', `/v1/reviews/${mine.id}`, bob)).statusCode).toBe(404);
    const gone = await request('DELETE', `/v1/reviews/${mine.id}`, alice, undefined, { 'accept-encoding': 'br' });
    expect(gone.statusCode).toBe(204);
    expect(gone.body).toBe('');
    expect(gone.headers['content-type']).toBeUndefined();
    expect(gone.headers['content-encoding']).toBeUndefined();
    expect((await request('GET', `/v1/reviews/${mine.id}`, alice)).statusCode).toBe(404);
    expect((await request('DELETE', `/v1/reviews/${mine.id}`, alice)).statusCode).toBe(404);

    expect((await request('DELETE', `/v1/reviews/${his.id}`, api.adminToken)).statusCode).toBe(204);
    expect((await list(carol, product.id)).json<{ data: ReviewBody[] }>().data).toEqual([]);
    await ratingOf(product.id, { average: null, count: 0 });

    // Deleted, so Alice may review again.
    await review(alice, product.id, { rating: 3 });
    await ratingOf(product.id, { average: 3, count: 1 });
  });
});
