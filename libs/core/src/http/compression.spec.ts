import { Readable } from 'node:stream';
import { brotliDecompressSync, gunzipSync, gzipSync, inflateSync } from 'node:zlib';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { isCompressibleType, registerCompression } from './compression';

const THRESHOLD = 1024;

/** A bare Fastify with compression registered as createFastifyAdapter does, before any route. */
async function server(threshold = THRESHOLD): Promise<FastifyInstance> {
  const fastify = Fastify();
  registerCompression(fastify, threshold);
  await fastify.after();
  fastify.get<{ Querystring: { size: string } }>('/json', (request, reply) => {
    void reply.header('etag', '"v7"').type('application/json; charset=utf-8');
    return reply.send(JSON.stringify({ text: 'x'.repeat(Number(request.query.size) - 11) }));
  });
  fastify.get('/weak', (_request, reply) =>
    reply
      .header('etag', 'W/"v7"')
      .type('application/json')
      .send(JSON.stringify({ text: 'y'.repeat(2000) })),
  );
  fastify.get('/events', (_request, reply) => {
    const events = Array.from({ length: 50 }, (_, i) => `data: ${'e'.repeat(100)} ${i}\n\n`);
    return reply.type('text/event-stream').send(Readable.from(events));
  });
  fastify.get('/not-modified', (_request, reply) =>
    reply.header('etag', '"v7-gzip"').header('vary', 'origin').code(304).send(),
  );
  fastify.post('/echo', (request) => request.body);
  fastify.get<{ Querystring: { chars: string } }>('/accented', (request, reply) =>
    reply.type('application/json').send(JSON.stringify({ t: 'é'.repeat(Number(request.query.chars)) })),
  );
  await fastify.ready();
  return fastify;
}

let app: FastifyInstance | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

const json = (size: number, acceptEncoding?: string) =>
  app!.inject({
    method: 'GET',
    url: `/json?size=${size}`,
    headers: acceptEncoding === undefined ? {} : { 'accept-encoding': acceptEncoding },
  });

describe('registerCompression', () => {
  it("puts the plugin's hook behind a size check on every route, and tags coded answers after it", async () => {
    app = await server();
    const routes = app.printRoutes({ includeHooks: true, commonPrefix: false });
    const jsonRoute = routes.slice(routes.indexOf('/json (GET)'), routes.indexOf('/json (HEAD)'));
    expect(jsonRoute).toContain('(onSend) ["skipSmallAnswer()","tagCodedAnswer()"]');
    expect(routes).not.toContain('"onSend()"');
  });

  it('decides by UTF-8 size: a string of few characters but many bytes is still compressed', async () => {
    app = await server();
    // 300 two-byte characters (under the threshold in bytes too): skipped.
    const small = await app.inject({ url: '/accented?chars=300', headers: { 'accept-encoding': 'gzip' } });
    expect(small.headers['content-encoding']).toBeUndefined();
    // 600 characters: under the threshold in characters, 1,209 bytes: compressed.
    const large = await app.inject({ url: '/accented?chars=600', headers: { 'accept-encoding': 'gzip' } });
    expect(large.headers['content-encoding']).toBe('gzip');
    expect(JSON.parse(gunzipSync(large.rawPayload).toString())).toEqual({ t: 'é'.repeat(600) });
  });

  it('compresses answers of at least the threshold, with the coding the client prefers (br on a tie)', async () => {
    app = await server();
    const below = await json(THRESHOLD - 1, 'br');
    expect(below.headers['content-encoding']).toBeUndefined();
    expect(below.headers.vary).toBeUndefined();
    expect(below.body).toHaveLength(THRESHOLD - 1);

    const at = await json(THRESHOLD, 'gzip, deflate, br');
    expect(at.headers['content-encoding']).toBe('br');
    expect(at.headers.vary).toBe('accept-encoding');
    expect(brotliDecompressSync(at.rawPayload).toString()).toHaveLength(THRESHOLD);
    // Compressed in one call: the length is known, the answer is not chunked.
    expect(at.headers['content-length']).toBe(String(at.rawPayload.length));

    expect((await json(4000, 'br;q=0.5, gzip')).headers['content-encoding']).toBe('gzip');
    const deflated = await json(4000, 'deflate');
    expect(deflated.headers['content-encoding']).toBe('deflate');
    expect(inflateSync(deflated.rawPayload).toString()).toHaveLength(4000);
    // zstd is not offered (its answer would depend on the Node version), nor anything unknown.
    for (const acceptEncoding of ['zstd', 'compress', 'identity', undefined]) {
      const res = await json(4000, acceptEncoding);
      expect(res.headers['content-encoding'], acceptEncoding).toBeUndefined();
      expect(res.body, acceptEncoding).toHaveLength(4000);
    }
  });

  it('streams answers above the synchronous limit, and they still decode', async () => {
    app = await server();
    const res = await json(200_000, 'gzip');
    expect(res.headers['content-encoding']).toBe('gzip');
    expect(res.headers['content-length']).toBeUndefined();
    expect(JSON.parse(gunzipSync(res.rawPayload).toString())).toEqual({ text: 'x'.repeat(200_000 - 11) });
  });

  it('a compressed answer gets its own strong ETag; a weak one is left alone', async () => {
    app = await server();
    expect((await json(4000, 'br')).headers.etag).toBe('"v7-br"');
    expect((await json(4000, 'gzip')).headers.etag).toBe('"v7-gzip"');
    expect((await json(4000)).headers.etag).toBe('"v7"');
    expect((await json(100, 'br')).headers.etag).toBe('"v7"');
    const weak = await app.inject({ method: 'GET', url: '/weak', headers: { 'accept-encoding': 'br' } });
    expect(weak.headers['content-encoding']).toBe('br');
    expect(weak.headers.etag).toBe('W/"v7"');
  });

  it('a 304 for a compressed copy varies on Accept-Encoding, as its 200 did', async () => {
    app = await server();
    const res = await app.inject({ method: 'GET', url: '/not-modified', headers: { 'accept-encoding': 'gzip' } });
    expect(res.statusCode).toBe(304);
    expect(res.headers.vary).toBe('origin, accept-encoding');
    expect(res.headers.etag).toBe('"v7-gzip"');
  });

  it('never compresses an event stream: each event must reach the client when it is written', async () => {
    app = await server();
    const res = await app.inject({ method: 'GET', url: '/events', headers: { 'accept-encoding': 'br, gzip' } });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-encoding']).toBeUndefined();
    expect(res.body).toContain('data: ');
  });

  it('does not inflate compressed request bodies (no zip bomb behind the body limit)', async () => {
    app = await server();
    const res = await app.inject({
      method: 'POST',
      url: '/echo',
      headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' },
      payload: gzipSync(JSON.stringify({ a: 1 })),
    });
    // Fastify's JSON parser sees the gzip bytes as they came: not JSON.
    expect(res.statusCode).toBe(400);
  });

  it('a threshold of 0 registers nothing', async () => {
    app = await server(0);
    expect(app.hasReplyDecorator('compress')).toBe(false);
    const res = await json(100_000, 'br, gzip');
    expect(res.headers['content-encoding']).toBeUndefined();
    expect(res.headers.vary).toBeUndefined();
    expect(res.headers.etag).toBe('"v7"');
  });
});

describe('isCompressibleType', () => {
  it.each([
    ['application/json', true],
    ['application/json; charset=utf-8', true],
    ['application/problem+json; charset=utf-8', true],
    ['application/vnd.api+json', true],
    ['text/plain; version=0.0.4; charset=utf-8', true],
    ['text/html', true],
    ['text/event-stream', false],
    ['text/event-stream; charset=utf-8', false],
    ['TEXT/EVENT-STREAM', false],
    ['application/jsonx', false],
    ['image/png', false],
    ['application/octet-stream', false],
  ])('%s: %s', (type, compressible) => {
    expect(isCompressibleType(type)).toBe(compressible);
  });
});
