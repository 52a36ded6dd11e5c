// Nest's security-header resolver (see security-headers.ts) loads decorated classes.
import 'reflect-metadata';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { CORS_ALLOWED_METHODS, CORS_EXPOSED_HEADERS, registerCors, withCors } from './cors';
import { handleFrameworkError } from './low-level-errors';

const APP = 'https://app.example.com';

describe('CORS_ALLOWED_METHODS', () => {
  it('covers every method of the documented API (a feature with a new method must be callable cross-origin)', () => {
    const document = JSON.parse(readFileSync(resolve(__dirname, '../../../../openapi.json'), 'utf8')) as {
      paths: Record<string, Record<string, unknown>>;
    };
    const methods = new Set(Object.values(document.paths).flatMap((item) => Object.keys(item)));
    expect([...methods].map((m) => m.toUpperCase()).filter((m) => !CORS_ALLOWED_METHODS.includes(m))).toEqual([]);
  });
});

/** A bare Fastify with the CORS hook and one route; the router errors go through {@link withCors}. */
async function server(origins: readonly string[]): Promise<FastifyInstance> {
  const fastify = Fastify({ frameworkErrors: withCors(handleFrameworkError, origins) });
  registerCors(fastify, origins);
  fastify.get('/things/:id', () => ({ ok: true }));
  await fastify.ready();
  return fastify;
}

let app: FastifyInstance | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

describe('registerCors', () => {
  it('registers nothing without origins, and leaves the router-error handler as it is', () => {
    const fastify = Fastify();
    const addHook = vi.spyOn(fastify, 'addHook');
    registerCors(fastify, []);
    expect(addHook).not.toHaveBeenCalled();
    expect(withCors(handleFrameworkError, [])).toBe(handleFrameworkError);
  });

  it('matches the Origin header exactly', async () => {
    app = await server([APP, 'http://localhost:5173']);
    for (const origin of [APP, 'http://localhost:5173']) {
      const res = await app.inject({ method: 'GET', url: '/things/1', headers: { origin } });
      expect(res.headers['access-control-allow-origin']).toBe(origin);
      expect(res.headers['access-control-expose-headers']).toBe(CORS_EXPOSED_HEADERS.join(', '));
      expect(res.headers.vary).toBe('Origin');
    }
    for (const origin of [`${APP}/`, 'https://app.example.co', `${APP}.evil.net`, 'HTTPS://APP.EXAMPLE.COM', '*']) {
      const res = await app.inject({ method: 'GET', url: '/things/1', headers: { origin } });
      expect(res.statusCode).toBe(200);
      expect(res.headers['access-control-allow-origin'], origin).toBeUndefined();
      expect(res.headers['access-control-expose-headers'], origin).toBeUndefined();
      expect(res.headers.vary).toBe('Origin');
    }
  });

  it('answers a listed origin’s preflight with 204 and no body, and never allows credentials', async () => {
    app = await server([APP]);
    const res = await app.inject({
      method: 'OPTIONS',
      url: '/things/1',
      headers: { origin: APP, 'access-control-request-method': 'PATCH' },
    });
    expect(res.statusCode).toBe(204);
    expect(res.body).toBe('');
    expect(res.headers['access-control-allow-methods']).toBe('GET, HEAD, POST, PATCH, DELETE');
    expect(res.headers['access-control-allow-credentials']).toBeUndefined();
  });

  it('gives router errors the CORS headers, and answers a preflight to a URL the router refuses', async () => {
    app = await server([APP]);
    const error = await app.inject({ method: 'GET', url: '/things/%zz', headers: { origin: APP } });
    expect(error.statusCode).toBe(400);
    expect(error.headers['access-control-allow-origin']).toBe(APP);
    expect(error.headers['x-content-type-options']).toBe('nosniff');

    const preflight = await app.inject({
      method: 'OPTIONS',
      url: '/things/%zz',
      headers: { origin: APP, 'access-control-request-method': 'GET' },
    });
    expect(preflight.statusCode).toBe(204);
    expect(preflight.headers['access-control-allow-origin']).toBe(APP);
    expect(preflight.headers['x-content-type-options']).toBe('nosniff');
    expect(preflight.headers['x-request-id']).toEqual(expect.any(String));
  });
});
