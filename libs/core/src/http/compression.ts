import { constants } from 'node:zlib';
import fastifyCompress, { type FastifyCompressOptions } from '@fastify/compress';
import type { FastifyInstance, FastifyPluginCallback, FastifyReply, onSendHookHandler, RouteOptions } from 'fastify';
import { codedETag, codingOfETag, ETAG_CODINGS } from './etag';

/*
 * Levels, measured with bench/tools/compression-levels.mjs on an S4 answer of the bench (GET /v1/orders?limit=20:
 * 20 two-line orders, 11,508 bytes of JSON), the synchronous zlib calls the plugin makes, one core of the
 * 2-vCPU bench machine (busy at the time: the times are rough, their ratios hold):
 *
 *   br quality 11 (zlib's default)   1,413 bytes (-87.7%)   ~10 ms per call
 *   br quality 5                     1,518 bytes (-86.8%)   ~65 µs
 *   br quality 4                     1,577 bytes (-86.3%)   ~56 µs
 *   br quality 1                     1,881 bytes (-83.7%)   ~42 µs
 *   gzip level 9                     1,780 bytes (-84.5%)   ~40 µs
 *   gzip level 6 (zlib's default)    1,795 bytes (-84.4%)   ~38 µs
 *
 * Quality 11 costs as much as 30 whole S4 requests (~0.3 ms each): never for answers made per request.
 * Brotli 4 (also the plugin's default, and Cloudflare's for dynamic content) is 12% smaller than gzip 6 for
 * ~20 µs more; 5 saves another 60 bytes for 15% more CPU. Gzip 6: 9 saves under 1%.
 */
const BROTLI_QUALITY = 4;
const GZIP_LEVEL = 6;

/**
 * Answers up to this size are compressed in one synchronous call rather than through a zlib stream on libuv's
 * thread pool. Our answers are JSON strings already serialized on the event loop, and one call costs well
 * under a millisecond at the levels above (a full page of 100 two-line orders is ~57 KB), while a stream
 * costs a pipeline, a chunked answer without Content-Length and a thread-pool round trip that only pays where
 * a spare core runs it (a container limited to one or two CPUs has none): on one core, a Fastify route sending
 * the S4 answer took ~150-220 µs of CPU per request with br 4 synchronous, ~400-600 µs streamed (gzip 6: ~105
 * vs ~300). Larger answers are streamed. The plugin's own default depends on the host's core count (8 KiB on
 * two cores: S4 would be streamed); a fixed value answers the same everywhere.
 */
const SYNC_COMPRESSION_MAX_BYTES = 64 * 1024;

/**
 * Compressible answers: JSON (`application/json`, `application/problem+json`, any `+json`) and text (the
 * Prometheus `/metrics` page), but never `text/event-stream`: a compressor holds events back until it has a
 * block to emit, and a stream of events must reach the client as each is written. (The plugin also looks a
 * type up in mime-db when this says no; mime-db does not list text/event-stream, and compression.spec.ts
 * checks that such a stream passes through.) Nest's `@Sse()` writes to the raw response, below every
 * Fastify hook, so it is never compressed either.
 */
const COMPRESSIBLE_TYPE = /^(?:application\/(?:[\w.-]+\+)?json|text\/(?!event-stream)[\w.+-]+)\s*(?:;|$)/i;
export const isCompressibleType = (contentType: string): boolean => COMPRESSIBLE_TYPE.test(contentType);

/**
 * The answer's strong ETag names its coding once it is compressed (see {@link codedETag}). A 304 for a
 * compressed copy (its ETag names a coding) carries the `Vary` the 200 it stands for had (RFC 9110 §15.4.5).
 */
const tagCodedAnswer: onSendHookHandler = (_request, reply, payload, done) => {
  const coding = reply.getHeader('content-encoding');
  const etag = reply.getHeader('etag');
  if (typeof etag === 'string') {
    if (typeof coding === 'string' && coding !== 'identity') void reply.header('etag', codedETag(etag, coding));
    else if (reply.statusCode === 304 && codingOfETag(etag) !== undefined) varyOnAcceptEncoding(reply);
  }
  done(null, payload);
};

function varyOnAcceptEncoding(reply: FastifyReply): void {
  const vary = reply.getHeader('vary');
  const names = (Array.isArray(vary) ? vary.join(',') : String(vary ?? '')).split(',').map((name) => name.trim());
  if (names.includes('*') || names.some((name) => name.toLowerCase() === 'accept-encoding')) return;
  void reply.header('vary', [...names.filter(Boolean), 'accept-encoding'].join(', '));
}

/**
 * Wraps @fastify/compress's onSend hook so that an answer certainly below the threshold skips it at once. The
 * plugin negotiates Accept-Encoding and checks the type before it looks at the size: a few microseconds on every
 * small answer (most of this API's: one product, one order), which the bench's S12 measured at 3–7% of a
 * cached read. A string's UTF-8 size is at most three bytes per UTF-16 unit, so `length * 3 < threshold` is
 * certain; anything else goes through the plugin, which decides by the exact size. An answer that carries no
 * body whatever its payload (204, 304) never goes through it either: it would be labelled `Content-Encoding`.
 */
function skipSmallAnswers(compress: onSendHookHandler, thresholdBytes: number): onSendHookHandler {
  return function skipSmallAnswer(this: FastifyInstance, request, reply, payload, done) {
    const small =
      typeof payload === 'string'
        ? payload.length * 3 < thresholdBytes
        : Buffer.isBuffer(payload) && payload.length < thresholdBytes;
    if (small || reply.statusCode === 204 || reply.statusCode === 304) {
      done(null, payload);
      return;
    }
    return compress.call(this, request, reply, payload, done);
  } as onSendHookHandler;
}

/**
 * On every route: the plugin's onSend hook behind {@link skipSmallAnswers}, then {@link tagCodedAnswer} after it
 * (route hooks run in the order they were added; this plugin's onRoute hook runs right after the plugin's,
 * which has just appended its hook, named `onSend`; if that ever changes, the hook is left as it is).
 */
const codedEntityTags: FastifyPluginCallback<{ thresholdBytes: number }> = (fastify, options, done) => {
  fastify.addHook('onRoute', (route: RouteOptions) => {
    // A route that opts out of compression (`compress: false`) never has a coded answer to tag.
    if ((route as RouteOptions & { compress?: unknown }).compress === false) return;
    const hooks = route.onSend === undefined ? [] : [route.onSend].flat();
    const last = hooks.length - 1;
    if (last >= 0 && hooks[last]?.name === 'onSend') {
      hooks[last] = skipSmallAnswers(hooks[last] as onSendHookHandler, options.thresholdBytes);
    }
    route.onSend = [...hooks, tagCodedAnswer];
  });
  done();
};
// Not encapsulated (what fastify-plugin does): the hook applies to the routes of the whole application.
Object.assign(codedEntityTags, { [Symbol.for('skip-override')]: true });

/** The plugin's options: exported for the tests. */
export const compressionOptions = (thresholdBytes: number): FastifyCompressOptions => ({
  // Answers only. Inflating request bodies (the plugin's default) would let a few KB of gzip expand into a
  // body-limit's worth of JSON to parse, a cheap amplification; a compressed body reaches the JSON parser as
  // sent and gets 400.
  globalDecompression: false,
  threshold: thresholdBytes,
  // The server's preference among what the client accepts equally; zstd (Node 22.15+) is left out so that
  // the answer does not depend on the Node version, and its tag suffix is not one ETags know.
  encodings: [...ETAG_CODINGS, 'identity'],
  brotliOptions: { params: { [constants.BROTLI_PARAM_QUALITY]: BROTLI_QUALITY } },
  zlibOptions: { level: GZIP_LEVEL },
  syncThreshold: SYNC_COMPRESSION_MAX_BYTES,
  customTypes: isCompressibleType,
});

/**
 * Response compression (br, gzip or deflate, as the client's Accept-Encoding prefers; br on a tie) for
 * answers of at least `thresholdBytes`; 0 registers nothing. Compressed answers carry `Vary: accept-encoding`
 * and a coding-specific ETag. Must be called before routes are added: the plugin attaches its hooks to each
 * route as it is declared (onRoute), so it loads with the first plugin Nest awaits, before any controller.
 */
export function registerCompression(fastify: FastifyInstance, thresholdBytes: number): void {
  if (thresholdBytes <= 0) return;
  void fastify.register(fastifyCompress, compressionOptions(thresholdBytes));
  void fastify.register(codedEntityTags, { thresholdBytes });
}
