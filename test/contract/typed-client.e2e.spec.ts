import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { format, resolveConfig } from 'prettier';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiClient } from '../../clients/typescript/index';
import { ADMIN, adminEnv, strongPassword, uniqueEmail } from '../support/auth';
import { pgliteTier, type TestDatabase } from '../support/databases';
import { OPENAPI_FILE } from '../support/fuzz/openapi-document';
import { repoRoot } from '../support/repo-files';
import { uniqueKey, uniqueSku } from '../support/shop';
import { bootTestApp, type TestApp } from '../support/test-app';

/**
 * The generated client (clients/typescript: openapi-typescript types + openapi-fetch) against the real app. The
 * calls below are type-checked against clients/typescript/schema.d.ts by `npm run typecheck`, so a breaking change
 * of the contract breaks the build before it breaks a client; and the drift test keeps schema.d.ts what
 * openapi-typescript generates from the committed openapi.json.
 */

const SCHEMA_FILE = join(repoRoot, 'clients', 'typescript', 'schema.d.ts');

describe('clients/typescript/schema.d.ts', () => {
  it('is what `npm run openapi` generates from the committed openapi.json', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'openapi-ts-'));
    try {
      const out = join(dir, 'schema.d.ts');
      const cli = join(repoRoot, 'node_modules', 'openapi-typescript', 'bin', 'cli.js');
      await promisify(execFile)(process.execPath, [cli, OPENAPI_FILE, '-o', out], { cwd: repoRoot });
      const generated = await format(readFileSync(out, 'utf8'), {
        ...(await resolveConfig(SCHEMA_FILE)),
        filepath: SCHEMA_FILE,
      });
      expect(
        generated === readFileSync(SCHEMA_FILE, 'utf8'),
        'clients/typescript/schema.d.ts is stale: run `npm run openapi` and commit the result',
      ).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 30_000);
});

describe('the generated TypeScript client against the app', () => {
  let db: TestDatabase | undefined;
  let app: TestApp | undefined;
  let baseUrl = '';

  beforeAll(async () => {
    db = await pgliteTier.create();
    app = await bootTestApp({ ...db.env, ...adminEnv() }, { listen: true });
    baseUrl = app.url ?? '';
  });
  afterAll(async () => {
    await app?.close();
    await db?.cleanup();
  });

  it('registers, logs in, creates a product as admin, orders it and reads the order back', async () => {
    const anonymous = createApiClient({ baseUrl });
    const email = uniqueEmail('client');
    const password = strongPassword();

    const registered = await anonymous.POST('/v1/auth/register', { body: { email, password, name: 'Typed Client' } });
    expect(registered.response.status, JSON.stringify(registered.error)).toBe(201);
    expect(registered.data?.email).toBe(email);

    const login = await anonymous.POST('/v1/auth/login', { body: { email, password } });
    expect(login.response.status).toBe(200);
    let userToken = login.data?.accessToken;
    const user = createApiClient({ baseUrl, accessToken: () => userToken });

    const adminLogin = await anonymous.POST('/v1/auth/login', {
      body: { email: ADMIN.email, password: ADMIN.password },
    });
    const adminToken = adminLogin.data?.accessToken;
    const admin = createApiClient({ baseUrl, accessToken: () => adminToken });

    const created = await admin.POST('/v1/products', {
      body: { sku: uniqueSku('TC'), name: 'Typed product', priceCents: 1250, currency: 'EUR', stock: 5 },
    });
    expect(created.response.status, JSON.stringify(created.error)).toBe(201);
    const productId = created.data?.id ?? '';

    // A refreshed token is picked up by the middleware at the next request.
    const refreshed = await anonymous.POST('/v1/auth/refresh', {
      body: { refreshToken: login.data?.refreshToken ?? '' },
    });
    expect(refreshed.response.status).toBe(200);
    userToken = refreshed.data?.accessToken;

    const ordered = await user.POST('/v1/orders', {
      body: { items: [{ productId, quantity: 2 }] },
      params: { header: { 'Idempotency-Key': uniqueKey('typed') } },
    });
    expect(ordered.response.status, JSON.stringify(ordered.error)).toBe(201);
    expect(ordered.data?.totalCents).toBe(2500);
    const orderId = ordered.data?.id ?? '';

    const got = await user.GET('/v1/orders/{id}', { params: { path: { id: orderId } } });
    expect(got.response.status).toBe(200);
    expect(got.data).toMatchObject({ id: orderId, status: 'pending', currency: 'EUR' });
    expect(got.data?.items.map((line) => [line.productId, line.quantity])).toEqual([[productId, 2]]);

    const listed = await user.GET('/v1/orders', { params: { query: { limit: 10 } } });
    expect(listed.data?.data.map((order) => order.id)).toContain(orderId);

    // Errors come back typed as problem details, not thrown.
    const forbidden = await user.POST('/v1/products', {
      body: { sku: uniqueSku('TC'), name: 'Nope', priceCents: 1, currency: 'EUR', stock: 1 },
    });
    expect(forbidden.response.status).toBe(403);
    expect(forbidden.error).toMatchObject({ status: 403 });
  });
});
