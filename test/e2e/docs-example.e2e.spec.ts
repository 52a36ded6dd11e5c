/**
 * The end-to-end example of docs/testing.md, kept as a real test so that the example keeps passing: the doc
 * shows this file as it is. It tests the catalog as if it were the new feature (docs/extending.md's worked
 * example); copy it, change the routes and the rules, keep the shape.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { adminEnv, authHeader, expectProblem, expectUnauthorized, invalidFields, type TestUser } from '../support/auth';
import { describeEachDatabase, type TestDatabase } from '../support/databases';
import { etag, PROBLEM, type ProductBody, ShopApi } from '../support/shop';
import { bootTestApp, type TestApp } from '../support/test-app';

describeEachDatabase('docs example: a feature end to end', (tier) => {
  let db: TestDatabase;
  let t: TestApp;
  let api: ShopApi;
  let user: TestUser;

  beforeAll(async () => {
    db = await tier.create(); // a private database: a copy of the migrated PGlite template, or CREATE DATABASE
    t = await bootTestApp({ ...db.env, ...adminEnv() }); // the real app; adminEnv() creates the bootstrap admin
    api = await new ShopApi(t.app).init(); // logs that admin in: api.adminToken
    user = await api.newUser('Docs Example'); // a registered, logged-in account with the role `user`
  });
  afterAll(async () => {
    await t?.close();
    await db?.cleanup();
  });

  it('every /v1 route needs a bearer token: 401 without one', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/v1/products' });
    expectUnauthorized(res); // 401 problem+json with WWW-Authenticate: Bearer
  });

  it('an admin creates, a user reads', async () => {
    const created = await t.app.inject({
      method: 'POST',
      url: '/v1/products',
      headers: authHeader(api.adminToken),
      payload: { sku: 'DOCS-1', name: 'Docs mug', priceCents: 1250, currency: 'EUR', stock: 3 },
    });
    expect(created.statusCode, created.body).toBe(201);
    const product = created.json<ProductBody>();
    expect(created.headers.location).toBe(`/v1/products/${product.id}`);
    expect(created.headers.etag).toBe(etag(product.version));

    const read = await t.app.inject({
      method: 'GET',
      url: `/v1/products/${product.id}`,
      headers: authHeader(user.tokens.accessToken),
    });
    expect(read.statusCode, read.body).toBe(200);
    expect(read.json<ProductBody>()).toMatchObject({ sku: 'DOCS-1', stock: 3, active: true });
  });

  it('errors are problem+json with a precise status and type', async () => {
    // A role the route does not allow: 403.
    const asUser = await t.app.inject({
      method: 'POST',
      url: '/v1/products',
      headers: authHeader(user.tokens.accessToken),
      payload: api.productInput(),
    });
    expect(expectProblem(asUser, 403).type).toBe(PROBLEM.forbidden);

    // Validation: 400 naming the fields (an unknown property is refused too).
    const invalid = await api.createProductRaw(api.adminToken, api.productInput({ priceCents: -1, colour: 'red' }));
    expect(invalidFields(invalid)).toEqual(['colour', 'priceCents']);

    // No such resource: 404.
    const missing = await api.getProductRaw(user.tokens.accessToken, '00000000-0000-4000-8000-000000000000');
    expect(expectProblem(missing, 404).type).toBe(PROBLEM.notFound);
  });

  it('changes need the ETag last read: 428 without If-Match, 412 when stale', async () => {
    const product = await api.createProduct(); // as the admin, with valid defaults
    const withoutIfMatch = await api.patchProduct(api.adminToken, product.id, { stock: 5 }, undefined);
    expect(expectProblem(withoutIfMatch, 428).type).toBe(PROBLEM.precondition);

    const changed = await api.patchProduct(api.adminToken, product.id, { stock: 5 }, etag(product.version));
    expect(changed.statusCode, changed.body).toBe(200);

    const stale = await api.patchProduct(api.adminToken, product.id, { stock: 6 }, etag(product.version));
    expect(expectProblem(stale, 412).type).toBe(PROBLEM.precondition);
  });
});
