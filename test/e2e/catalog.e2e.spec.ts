import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminEnv, expectProblem, expectUnauthorized, invalidFields, type TestUser } from '../support/auth';
import { describeEachDatabase, type TestDatabase } from '../support/databases';
import {
  etag,
  expectListOrder,
  type PageBody,
  PROBLEM,
  type ProductBody,
  ShopApi,
  uniqueSku,
  uniqueTag,
} from '../support/shop';
import { bootTestApp, type TestApp } from '../support/test-app';

/** The same cursor with one character changed, in the middle where every bit counts. */
function tamper(cursor: string): string {
  const i = Math.floor(cursor.length / 2);
  return `${cursor.slice(0, i)}${cursor[i] === 'A' ? 'B' : 'A'}${cursor.slice(i + 1)}`;
}

describeEachDatabase('catalog routes', (tier) => {
  let db: TestDatabase;
  let t: TestApp;
  let api: ShopApi;
  let user: TestUser;

  beforeAll(async () => {
    db = await tier.create();
    t = await bootTestApp({ ...db.env, ...adminEnv() });
    api = await new ShopApi(t.app).init();
    user = await api.newUser('Catalog Shopper');
  });
  afterAll(async () => {
    await t?.close();
    await db?.cleanup();
  });

  const userToken = (): string => user.tokens.accessToken;

  describe('POST /v1/products', () => {
    it('as admin: 201 with Location and ETag; the product reads back the same', async () => {
      const input = api.productInput({ name: '  Desk Lamp  ', priceCents: 4999, stock: 7, currency: 'USD' });
      const res = await api.createProductRaw(api.adminToken, input);
      expect(res.statusCode, res.body).toBe(201);
      const product = res.json<ProductBody>();
      expect(product).toEqual({
        id: expect.stringMatching(/^[0-9a-f-]{36}$/),
        sku: input.sku,
        name: 'Desk Lamp',
        description: input.description,
        priceCents: 4999,
        currency: 'USD',
        stock: 7,
        active: true,
        rating: { average: null, count: 0 },
        createdAt: expect.any(String),
        updatedAt: expect.any(String),
        version: 1,
      });
      expect(res.headers.location).toBe(`/v1/products/${product.id}`);
      expect(res.headers.etag).toBe('"v1"');

      const read = await api.getProductRaw(userToken(), product.id);
      expect(read.statusCode).toBe(200);
      expect(read.json()).toEqual(product);
      expect(read.headers.etag).toBe('"v1"');
    });

    it('a duplicate sku → 409, and the first product is untouched', async () => {
      const first = await api.createProduct();
      const res = await api.createProductRaw(api.adminToken, api.productInput({ sku: first.sku, priceCents: 1 }));
      const body = expectProblem(res, 409);
      expect(body.type).toBe(PROBLEM.conflict);
      expect(body.detail).toContain(first.sku);
      expect(await api.product(first.id)).toEqual(first);
    });

    it('as a user → 403, without a token → 401; nothing is created', async () => {
      const input = api.productInput();
      expect(expectProblem(await api.createProductRaw(userToken(), input), 403).type).toBe(PROBLEM.forbidden);
      expectUnauthorized(await api.createProductRaw(undefined, input));
      const found = await api.listProducts(api.adminToken, `?q=${input.sku as string}`);
      expect(found.data).toEqual([]);
    });

    it.each([
      ['a negative price', { priceCents: -1 }, ['priceCents']],
      ["a lower-case currency ('eur')", { currency: 'eur' }, ['currency']],
      ['an unknown field', { color: 'red' }, ['color']],
      ['a negative stock', { stock: -5 }, ['stock']],
      ['a fractional price', { priceCents: 12.5 }, ['priceCents']],
      ['a malformed sku', { sku: 'lower case' }, ['sku']],
      ['a server-owned field (version)', { version: 7 }, ['version']],
    ])('%s → 400 naming the field, nothing created', async (_label, overrides, fields) => {
      const input = api.productInput(overrides);
      expect(invalidFields(await api.createProductRaw(api.adminToken, input))).toEqual(fields);
      if (typeof input.sku === 'string' && /^[A-Z0-9-]+$/.test(input.sku)) {
        expect((await api.listProducts(api.adminToken, `?q=${input.sku}`)).data).toEqual([]);
      }
    });
  });

  describe('GET /v1/products/:id', () => {
    it('ETag; If-None-Match with it → 304 and no body; a stale one → 200 with the product', async () => {
      const product = await api.createProduct();
      const first = await api.getProductRaw(userToken(), product.id);
      expect(first.statusCode).toBe(200);
      expect(first.headers.etag).toBe(etag(product.version));
      const tag = String(first.headers.etag);

      const notModified = await api.getProductRaw(userToken(), product.id, { 'if-none-match': tag });
      expect(notModified.statusCode).toBe(304);
      expect(notModified.body).toBe('');
      expect(notModified.headers.etag).toBe(tag);

      const changed = await api.changeProduct(product.id, { name: 'Renamed' });
      const stale = await api.getProductRaw(userToken(), product.id, { 'if-none-match': tag });
      expect(stale.statusCode).toBe(200);
      expect(stale.json()).toEqual(changed);
      expect(stale.headers.etag).toBe(etag(product.version + 1));
      // A list of tags naming the current one matches too.
      const listed = await api.getProductRaw(userToken(), product.id, {
        'if-none-match': `"v999", ${stale.headers.etag}`,
      });
      expect(listed.statusCode).toBe(304);
    });

    it('an unknown id → 404, a non-uuid id → 400, no token → 401', async () => {
      expect(expectProblem(await api.getProductRaw(userToken(), randomUUID()), 404).type).toBe(PROBLEM.notFound);
      expectProblem(await api.getProductRaw(userToken(), 'not-a-uuid'), 400);
      const product = await api.createProduct();
      expectUnauthorized(await api.getProductRaw(undefined, product.id));
    });
  });

  describe('PATCH /v1/products/:id (If-Match required)', () => {
    it('without If-Match → 428; a stale If-Match → 412; both change nothing', async () => {
      const product = await api.createProduct({ priceCents: 1000 });
      const missing = await api.patchProduct(api.adminToken, product.id, { priceCents: 1 }, undefined);
      expect(expectProblem(missing, 428).type).toBe(PROBLEM.precondition);
      expect(await api.product(product.id)).toEqual(product);

      const v2 = await api.changeProduct(product.id, { priceCents: 1100 });
      const stale = await api.patchProduct(api.adminToken, product.id, { priceCents: 1 }, etag(product.version));
      expect(expectProblem(stale, 412).type).toBe(PROBLEM.precondition);
      const garbage = await api.patchProduct(api.adminToken, product.id, { priceCents: 1 }, '"not-ours"');
      expectProblem(garbage, 412);
      // If-Match compares strongly (RFC 9110): a weak tag of the current version does not match.
      const weak = await api.patchProduct(api.adminToken, product.id, { priceCents: 1 }, `W/${etag(v2.version)}`);
      expectProblem(weak, 412);
      expect(await api.product(product.id)).toEqual(v2);
    });

    it('an empty change with the current ETag → 200 and no new version', async () => {
      const product = await api.createProduct({ priceCents: 1000 });
      const res = await api.patchProduct(api.adminToken, product.id, {}, etag(product.version));
      expect(res.statusCode, res.body).toBe(200);
      expect(res.headers.etag).toBe(etag(product.version));
      expect(await api.product(product.id)).toEqual(product);
    });

    it('with the current ETag → 200, the change, version + 1 and the new ETag; the old ETag is then stale', async () => {
      const product = await api.createProduct({ priceCents: 1000, stock: 3 });
      const res = await api.patchProduct(
        api.adminToken,
        product.id,
        { name: 'New Name', priceCents: 1500, stock: 40, active: false, description: 'changed' },
        etag(product.version),
      );
      expect(res.statusCode, res.body).toBe(200);
      const updated = res.json<ProductBody>();
      expect(updated).toEqual({
        ...product,
        name: 'New Name',
        priceCents: 1500,
        stock: 40,
        active: false,
        description: 'changed',
        version: product.version + 1,
        updatedAt: expect.any(String),
      });
      expect(updated.updatedAt >= product.updatedAt).toBe(true);
      expect(res.headers.etag).toBe(etag(product.version + 1));
      expect(res.headers.etag).not.toBe(etag(product.version));
      expect(await api.product(product.id)).toEqual(updated);

      const again = await api.patchProduct(api.adminToken, product.id, { stock: 1 }, etag(product.version));
      expectProblem(again, 412);
      expect(await api.stockOf(product.id)).toBe(40);
    });

    it('as a user → 403; unknown id → 404; sku, currency or unknown fields → 400', async () => {
      const product = await api.createProduct();
      const ifMatch = etag(product.version);
      expectProblem(await api.patchProduct(userToken(), product.id, { stock: 0 }, ifMatch), 403);
      expectProblem(await api.patchProduct(api.adminToken, randomUUID(), { stock: 0 }, ifMatch), 404);
      for (const field of ['sku', 'currency', 'version', 'color']) {
        const res = await api.patchProduct(api.adminToken, product.id, { [field]: 'X' }, ifMatch);
        expect(invalidFields(res)).toEqual([field]);
      }
      expect(invalidFields(await api.patchProduct(api.adminToken, product.id, { stock: -1 }, ifMatch))).toEqual([
        'stock',
      ]);
      expect(await api.product(product.id)).toEqual(product);
    });
  });

  describe('GET /v1/products (keyset list)', () => {
    /** Five products whose name contains `tag`: 3 active, 2 inactive. */
    async function fiveTagged(tag: string): Promise<ProductBody[]> {
      const created: ProductBody[] = [];
      for (const active of [true, false, true, false, true]) {
        created.push(await api.createProduct({ name: `Lamp ${tag} ${created.length}`, active }));
      }
      return created;
    }
    const ids = (rows: readonly ProductBody[]): string[] => rows.map((p) => p.id);
    /** createdAt desc, then id desc (ISO timestamps and lower-case UUIDs compare as plain strings). */
    const byListOrder = (rows: readonly ProductBody[]): ProductBody[] =>
      [...rows].sort((a, b) => {
        const [x, y] = [`${a.createdAt} ${a.id}`, `${b.createdAt} ${b.id}`];
        return x < y ? 1 : x > y ? -1 : 0;
      });

    it('pages with limit follow nextCursor through every row once, in (createdAt desc, id desc) order', async () => {
      const tag = uniqueTag();
      const created = await fiveTagged(tag);
      const pages: PageBody<ProductBody>[] = [];
      let cursor: string | null = null;
      do {
        pages.push(await api.listProducts(userToken(), `?q=${tag}&limit=2${cursor ? `&cursor=${cursor}` : ''}`));
        cursor = pages[pages.length - 1]?.nextCursor ?? null;
      } while (cursor !== null && pages.length < 10);
      expect(pages.map((p) => p.data.length)).toEqual([2, 2, 1]);
      expect(pages.map((p) => p.nextCursor === null)).toEqual([false, false, true]);
      const all = pages.flatMap((p) => p.data);
      expectListOrder(all);
      expect(ids(all)).toEqual(ids(byListOrder(created)));

      const whole = await api.listProducts(userToken(), `?q=${tag}`);
      expect(ids(whole.data)).toEqual(ids(all));
      expect(whole.nextCursor).toBeNull();
    });

    it('q matches name and sku case-insensitively, and only those', async () => {
      const word = uniqueTag('zebra');
      const byName = await api.createProduct({ name: `Striped ${word.toUpperCase()} Mug` });
      const skuPart = uniqueSku('SKQ');
      const bySku = await api.createProduct({ sku: skuPart, name: 'Plain Mug' });
      await api.createProduct({ name: 'Unrelated Mug' });

      expect(ids((await api.listProducts(userToken(), `?q=${word}`)).data)).toEqual([byName.id]);
      expect(ids((await api.listProducts(userToken(), `?q=${word.toUpperCase()}`)).data)).toEqual([byName.id]);
      const mixed = `${word.slice(0, 3).toUpperCase()}${word.slice(3)}`;
      expect(ids((await api.listProducts(userToken(), `?q=${mixed}`)).data)).toEqual([byName.id]);
      expect(ids((await api.listProducts(userToken(), `?q=${skuPart.toLowerCase()}`)).data)).toEqual([bySku.id]);
      expect(ids((await api.listProducts(userToken(), `?q=${skuPart}`)).data)).toEqual([bySku.id]);
    });

    it('q treats LIKE wildcards literally', async () => {
      const tag = uniqueTag();
      const percent = await api.createProduct({ name: `Deal 50% ${tag}` });
      const underscore = await api.createProduct({ name: `snake_case ${tag}` });
      await api.createProduct({ name: `Deal 50 ${tag}` });
      for (const [q, expected] of [
        ['%', percent],
        ['_', underscore],
      ] as const) {
        const page = await api.listProducts(userToken(), `?q=${encodeURIComponent(q)}&limit=100`);
        expect(page.data.length).toBeGreaterThan(0);
        for (const p of page.data) expect(`${p.name} ${p.sku}`).toContain(q);
        expect(ids(page.data)).toContain(expected.id);
      }
    });

    it('active=true and active=false filter; anything else → 400', async () => {
      const tag = uniqueTag();
      const created = await fiveTagged(tag);
      const activeIds = ids(byListOrder(created.filter((p) => p.active)));
      const inactiveIds = ids(byListOrder(created.filter((p) => !p.active)));
      expect(ids((await api.listProducts(userToken(), `?q=${tag}&active=true`)).data)).toEqual(activeIds);
      expect(ids((await api.listProducts(userToken(), `?q=${tag}&active=false`)).data)).toEqual(inactiveIds);
      // Paging keeps the filter.
      const first = await api.listProducts(userToken(), `?q=${tag}&active=true&limit=2`);
      const second = await api.listProducts(userToken(), `?q=${tag}&active=true&limit=2&cursor=${first.nextCursor}`);
      expect([...ids(first.data), ...ids(second.data)]).toEqual(activeIds);
      expect(second.nextCursor).toBeNull();

      for (const value of ['maybe', '1', 'TRUE', '']) {
        expect(invalidFields(await api.listProductsRaw(userToken(), `?active=${value}`))).toEqual(['active']);
      }
    });

    it('limit: 100 is fine, 0 / 101 / not a number → 400', async () => {
      expect((await api.listProductsRaw(userToken(), '?limit=100')).statusCode).toBe(200);
      for (const limit of ['0', '101', 'abc', '1.5']) {
        expect(invalidFields(await api.listProductsRaw(userToken(), `?limit=${limit}`))).toEqual(['limit']);
      }
    });

    it('a forged or foreign cursor → 400, never a 500 or another list', async () => {
      const tag = uniqueTag();
      await fiveTagged(tag);
      const { nextCursor } = await api.listProducts(userToken(), `?q=${tag}&limit=2`);
      expect(nextCursor).toEqual(expect.any(String));
      const cursor = nextCursor as string;
      const orders = await api.listOrdersRaw(userToken(), `?limit=1&cursor=${cursor}`);
      for (const res of [
        await api.listProductsRaw(userToken(), `?q=${tag}&limit=2&cursor=${tamper(cursor)}`),
        await api.listProductsRaw(userToken(), `?q=${tag}&limit=2&cursor=not-a-cursor`),
        await api.listProductsRaw(userToken(), `?q=${tag}&limit=2&cursor=${cursor}A`),
        // Valid, but issued for another filter or list.
        await api.listProductsRaw(userToken(), `?q=other${tag}&limit=2&cursor=${cursor}`),
        await api.listProductsRaw(userToken(), `?q=${tag}&active=true&limit=2&cursor=${cursor}`),
        orders,
      ]) {
        expect(invalidFields(res)).toEqual(['cursor']);
      }
      // The genuine cursor still works.
      expect((await api.listProductsRaw(userToken(), `?q=${tag}&limit=2&cursor=${cursor}`)).statusCode).toBe(200);
    });

    it('needs a token', async () => {
      expectUnauthorized(await api.inject({ method: 'GET', url: '/v1/products' }));
    });
  });
});
