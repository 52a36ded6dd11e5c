import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Injectable, Module } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DOCS_CSP } from '../../apps/api/src/openapi/setup-docs';
import { pgliteTier, type TestDatabase } from '../support/databases';
import { bootTestApp, type TestApp } from '../support/test-app';

const COMMITTED = resolve(__dirname, '..', '..', 'openapi.json');
const API_CSP = "default-src 'none';frame-ancestors 'none';base-uri 'none';form-action 'none'";
const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'options', 'head', 'trace'];

interface OpenApiDocument {
  openapi: string;
  paths: Record<string, Record<string, { operationId?: string; security?: unknown[] }>>;
}

/** Every route Fastify registers, as it registers it (a provider runs before Nest and the docs add any). */
const registered: Array<{ method: string; url: string }> = [];

@Injectable()
class RouteCapture {
  constructor(host: HttpAdapterHost) {
    host.httpAdapter.getInstance<FastifyInstance>().addHook('onRoute', (route) => {
      for (const method of [route.method].flat()) registered.push({ method: String(method), url: route.url });
    });
  }
}

@Module({ providers: [RouteCapture] })
class RouteCaptureModule {}

/** `/v1/products/{id}` → `/v1/products/:id`, as Fastify spells a path template. */
const fastifyPath = (path: string): string => path.replace(/\{([^}]+)\}/g, ':$1');

describe('OpenAPI document and Swagger UI', () => {
  let db: TestDatabase;
  let t: TestApp;
  let served: OpenApiDocument;

  beforeAll(async () => {
    db = await pgliteTier.create();
    t = await bootTestApp({ ...db.env, DOCS_ENABLED: 'true' }, { imports: [RouteCaptureModule] });
    const res = await t.app.inject({ method: 'GET', url: '/docs/openapi.json' });
    expect(res.statusCode, res.body).toBe(200);
    served = res.json<OpenApiDocument>();
  });
  afterAll(async () => {
    await t?.close();
    await db?.cleanup();
  });

  it('serves the committed openapi.json', () => {
    const committed = JSON.parse(readFileSync(COMMITTED, 'utf8')) as OpenApiDocument;
    expect(served, 'openapi.json is not the document the app serves: run `npm run openapi`').toEqual(committed);
  });

  it('declares OpenAPI 3.1', () => {
    expect(served.openapi).toMatch(/^3\.1\.\d+$/);
  });

  it('documents every route the app registers, and only those', () => {
    const routes = new Set(
      registered
        .filter(
          ({ method, url }) =>
            method !== 'HEAD' && method !== 'OPTIONS' && url !== '/docs' && !url.startsWith('/docs/'),
        )
        .map(({ method, url }) => `${method} ${url}`),
    );
    const documented = new Set(
      Object.entries(served.paths).flatMap(([path, item]) =>
        Object.keys(item)
          .filter((key) => METHODS.includes(key))
          .map((method) => `${method.toUpperCase()} ${fastifyPath(path)}`),
      ),
    );
    expect([...documented].sort()).toEqual([...routes].sort());
  });

  it('names every operation, uniquely', () => {
    const ids = Object.values(served.paths).flatMap((item) =>
      Object.entries(item)
        .filter(([key]) => METHODS.includes(key))
        .map(([, operation]) => operation.operationId),
    );
    expect(
      ids.every((id) => typeof id === 'string' && /^[a-z][A-Za-z]+$/.test(id)),
      ids.join(', '),
    ).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('serves Swagger UI with a CSP of its own, while the API keeps its strict one', async () => {
    const page = await t.app.inject({ method: 'GET', url: '/docs' });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    expect(page.body).toContain('swagger-ui');
    expect(page.headers['content-security-policy']).toBe(DOCS_CSP);
    expect(page.headers['x-content-type-options']).toBe('nosniff');

    for (const asset of ['/docs/swagger-ui-bundle.js', '/docs/swagger-ui.css', '/docs/swagger-ui-init.js']) {
      const res = await t.app.inject({ method: 'GET', url: asset });
      expect(res.statusCode, asset).toBe(200);
      expect(res.headers['content-security-policy'], asset).toBe(DOCS_CSP);
    }
    const json = await t.app.inject({ method: 'GET', url: '/docs/openapi.json' });
    expect(json.headers['content-type']).toMatch(/^application\/json/);
    expect(json.headers['content-security-policy']).toBe(DOCS_CSP);

    for (const url of ['/health/live', '/v1/products', '/v1/nowhere']) {
      const res = await t.app.inject({ method: 'GET', url });
      expect(res.headers['content-security-policy'], url).toBe(API_CSP);
    }
  });

  it('is public and not rate limited', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/docs/openapi.json' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['x-ratelimit-limit']).toBeUndefined();
    expect(res.headers['x-request-id']).toBeDefined();
  });
});

describe('OpenAPI document when docs are off', () => {
  const bootWithoutDocs = async (env: Record<string, string>) => {
    const t = await bootTestApp({ DATABASE_URL: 'memory://', ...env });
    try {
      for (const url of ['/docs', '/docs/openapi.json', '/docs/swagger-ui-bundle.js']) {
        const res = await t.app.inject({ method: 'GET', url });
        expect(res.statusCode, url).toBe(404);
        expect(res.headers['content-type'], url).toMatch(/^application\/problem\+json/);
      }
    } finally {
      await t.close();
    }
  };

  it('DOCS_ENABLED=false: /docs and /docs/openapi.json are 404 problem+json', async () => {
    await bootWithoutDocs({ DOCS_ENABLED: 'false' });
  });

  it('production: off unless DOCS_ENABLED says otherwise', async () => {
    await bootWithoutDocs({
      NODE_ENV: 'production',
      JWT_SECRET: 'kR7vQ2mZ9xW4pL8nT3yB6cF1hJ5sD0gAe',
      METRICS_PUBLIC: 'true',
    });
  });
});
