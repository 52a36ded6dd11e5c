import fc from 'fast-check';
import type { RawFuzzRequest } from './fuzz-request';

/**
 * Requests no well-behaved HTTP client can send, written byte for byte on a socket: broken request lines and
 * versions, ambiguous framing (Content-Length with Transfer-Encoding, two Content-Lengths), bodies shorter than
 * announced, oversized headers, bad chunking, pipelining.
 */

const HOST = 'Host: 127.0.0.1\r\n';
const JSON_TYPE = 'Content-Type: application/json\r\n';
/** How long an incomplete request waits for an answer before the client half-closes. Short: a run has many. */
export const INCOMPLETE_WAIT_MS = 50;

const BODY_PATHS = ['/v1/auth/login', '/v1/auth/register', '/v1/orders', '/v1/products'];

const raw = (route: string, chunks: readonly string[], expectedResponses = 1): RawFuzzRequest => ({
  kind: 'raw',
  route: `raw: ${route}`,
  chunks,
  expectedResponses,
});

const incomplete = (route: string, chunks: readonly string[]): RawFuzzRequest => ({
  ...raw(route, chunks),
  halfCloseAfterMs: INCOMPLETE_WAIT_MS,
});

const post = (path: string, headers: string, body: string): string =>
  `POST ${path} HTTP/1.1\r\n${HOST}${JSON_TYPE}${headers}\r\n${body}`;

const malformedRequestLine: fc.Arbitrary<RawFuzzRequest> = fc
  .oneof(
    fc.constantFrom(
      'GARBAGE\r\n\r\n',
      'GET\r\n\r\n',
      'GET /\r\n\r\n',
      `GET  /health/live  HTTP/1.1\r\n${HOST}\r\n`,
      '\r\n\r\n\r\n',
      `get /health/live HTTP/1.1\r\n${HOST}\r\n`,
      `FOO /health/live HTTP/1.1\r\n${HOST}\r\n`,
      `GET /health/live HTTP/1.1 extra\r\n${HOST}\r\n`,
      `GET /he alth HTTP/1.1\r\n${HOST}\r\n`,
      `GET /\x7f HTTP/1.1\r\n${HOST}\r\n`,
      `GET health/live HTTP/1.1\r\n${HOST}\r\n`,
      `GET /health/live#fragment HTTP/1.1\r\n${HOST}\r\n`,
      `GET /health/live?\x01 HTTP/1.1\r\n${HOST}\r\n`,
      '\x00\x01\x02\x03\r\n\r\n',
      'PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n',
    ),
    fc.string({ unit: 'binary-ascii', minLength: 1, maxLength: 200 }).map((junk) => `${junk}\r\n\r\n`),
  )
  .map((bytes) => raw('malformed request line', [bytes]));

const badVersion: fc.Arbitrary<RawFuzzRequest> = fc
  .constantFrom(
    'HTTP/9.9',
    'HTTP/1.2',
    'HTTP/2.0',
    'HTTP/0.9',
    'HTTP/1',
    'HTTP/1.1.1',
    'HTTPS/1.1',
    'http/1.1',
    'HTTP/01.1',
  )
  .map((version) => raw('bad HTTP version', [`GET /health/live ${version}\r\n${HOST}\r\n`]));

const contentLengthWithTransferEncoding: fc.Arbitrary<RawFuzzRequest> = fc
  .record({
    path: fc.constantFrom(...BODY_PATHS),
    encoding: fc.constantFrom('chunked', 'chunked, identity', ' chunked', 'Chunked', 'xchunked', 'gzip, chunked'),
    body: fc.constantFrom('0\r\n\r\n', '2\r\n{}\r\n0\r\n\r\n', '{}'),
    length: fc.constantFrom(0, 2, 5, 100),
  })
  .map(({ path, encoding, body, length }) =>
    raw('Content-Length with Transfer-Encoding', [
      post(path, `Content-Length: ${length}\r\nTransfer-Encoding: ${encoding}\r\n`, body),
    ]),
  );

const duplicateContentLength: fc.Arbitrary<RawFuzzRequest> = fc
  .constantFrom(
    'Content-Length: 2\r\nContent-Length: 3\r\n',
    'Content-Length: 2\r\nContent-Length: 2\r\n',
    'Content-Length: 2, 2\r\n',
    'Content-Length: 2, 3\r\n',
  )
  .chain((lengths) =>
    fc.constantFrom(...BODY_PATHS).map((path) => raw('duplicate Content-Length', [post(path, lengths, '{}')])),
  );

const badContentLength: fc.Arbitrary<RawFuzzRequest> = fc
  .record({
    path: fc.constantFrom(...BODY_PATHS),
    length: fc.constantFrom('-1', 'abc', '1e3', '0x10', '99999999999999999999', '+2', '2 2', ''),
  })
  .map(({ path, length }) => raw('invalid Content-Length', [post(path, `Content-Length: ${length}\r\n`, '{}')]));

const shortBody: fc.Arbitrary<RawFuzzRequest> = fc
  .record({
    path: fc.constantFrom(...BODY_PATHS),
    announced: fc.constantFrom(10, 100, 100_000),
    sent: fc.constantFrom('', '{', '{"email":'),
  })
  .map(({ path, announced, sent }) =>
    incomplete('body shorter than Content-Length', [post(path, `Content-Length: ${announced}\r\n`, sent)]),
  );

const unfinishedChunks: fc.Arbitrary<RawFuzzRequest> = fc
  .constantFrom('10\r\n{"a"', '2\r\n{}\r\n', '2\r\n{}')
  .map((body) =>
    incomplete('unfinished chunked body', [post('/v1/auth/login', 'Transfer-Encoding: chunked\r\n', body)]),
  );

const badChunks: fc.Arbitrary<RawFuzzRequest> = fc
  .constantFrom(
    'zz\r\n{}\r\n0\r\n\r\n',
    'ffffffffffffffffff\r\n{}\r\n0\r\n\r\n',
    '-1\r\n{}\r\n0\r\n\r\n',
    '5\r\n{}\r\n0\r\n\r\n',
    `2;ext=${'a'.repeat(10_000)}\r\n{}\r\n0\r\n\r\n`,
    '2\r\n{}\r\n0\r\nTrailer: x\r\n\r\n',
  )
  .map((body) => raw('bad chunked body', [post('/v1/auth/login', 'Transfer-Encoding: chunked\r\n', body)]));

const oversizedHeaders: fc.Arbitrary<RawFuzzRequest> = fc
  .constantFrom(
    `GET /health/live HTTP/1.1\r\n${HOST}X-Big: ${'a'.repeat(17_000)}\r\n\r\n`,
    `GET /health/live HTTP/1.1\r\n${HOST}X-Big: ${'a'.repeat(64_000)}\r\n\r\n`,
    `GET /health/live HTTP/1.1\r\n${HOST}${'X-Many: 1\r\n'.repeat(2_500)}\r\n`,
    `GET /${'a'.repeat(20_000)} HTTP/1.1\r\n${HOST}\r\n`,
    `GET /v1/products?q=${'a'.repeat(20_000)} HTTP/1.1\r\n${HOST}\r\n`,
  )
  .map((bytes) => raw('header too large', [bytes]));

const oddFraming: fc.Arbitrary<RawFuzzRequest> = fc
  .constantFrom(
    'GET /health/live HTTP/1.1\nHost: 127.0.0.1\n\n',
    `GET /health/live HTTP/1.1\r\n${HOST}X-Folded: a\r\n b\r\n\r\n`,
    `GET /health/live HTTP/1.1\r\n${HOST}X-Nul: a\x00b\r\n\r\n`,
    `GET /health/live HTTP/1.1\r\n${HOST}X-Cr: a\rb\r\n\r\n`,
    `GET /health/live HTTP/1.1\r\n${HOST}X Space: b\r\n\r\n`,
    'GET /health/live HTTP/1.1\r\nHost : 127.0.0.1\r\n\r\n',
    `GET /health/live HTTP/1.1\r\n${HOST}NoColon\r\n\r\n`,
    `GET /health/live HTTP/1.1\r\n${HOST}: empty-name\r\n\r\n`,
    'GET /health/live HTTP/1.1\r\n\r\n',
    `GET /health/live HTTP/1.1\r\n${HOST}Host: evil.example\r\n\r\n`,
    `GET http://evil.example/health/live HTTP/1.1\r\n${HOST}\r\n`,
    `OPTIONS * HTTP/1.1\r\n${HOST}\r\n`,
    `CONNECT 127.0.0.1:1 HTTP/1.1\r\n${HOST}\r\n`,
    `GET /health/live HTTP/1.1\r\n${HOST}Connection: Upgrade\r\nUpgrade: websocket\r\n\r\n`,
    `GET /health/live HTTP/1.1\r\n${HOST}Connection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\nHTTP2-Settings: AAMAAABkAAQAAP__\r\n\r\n`,
    `POST /v1/auth/login HTTP/1.1\r\n${HOST}${JSON_TYPE}Expect: 100-continue\r\nContent-Length: 2\r\n\r\n{}`,
    `POST /v1/auth/login HTTP/1.1\r\n${HOST}${JSON_TYPE}Expect: the-unexpected\r\nContent-Length: 2\r\n\r\n{}`,
  )
  .map((bytes) => raw('odd framing', [bytes]));

const pipelined: fc.Arbitrary<RawFuzzRequest> = fc
  .constantFrom(
    [`GET /health/live HTTP/1.1\r\n${HOST}\r\nGET /v1/nowhere HTTP/1.1\r\n${HOST}\r\n`, 2],
    [`GET /health/live HTTP/1.1\r\n${HOST}\r\nGARBAGE\r\n\r\n`, 2],
    [`${post('/v1/auth/login', 'Content-Length: 2\r\n', '{}')}GET /health/live HTTP/1.1\r\n${HOST}\r\n`, 2],
    [`GET /health/live HTTP/1.1\r\n${HOST}Content-Length: 0\r\n\r\n`.repeat(3), 3],
  )
  .map(([bytes, responses]) => raw('pipelined requests', [bytes], responses));

const splitWrites: fc.Arbitrary<RawFuzzRequest> = fc.integer({ min: 1, max: 60 }).map((at) => {
  const body = '{"email":"a@b.cd","password":"x"}';
  const bytes = post('/v1/auth/login', `Content-Length: ${body.length}\r\n`, body);
  return raw('request split across writes', [bytes.slice(0, at), bytes.slice(at)]);
});

/** Any raw-socket abuse. */
export const rawRequest: fc.Arbitrary<RawFuzzRequest> = fc.oneof(
  malformedRequestLine,
  badVersion,
  contentLengthWithTransferEncoding,
  duplicateContentLength,
  badContentLength,
  shortBody,
  unfinishedChunks,
  badChunks,
  oversizedHeaders,
  oddFraming,
  pipelined,
  splitWrites,
);

/**
 * Connections that never finish their request and never close: the server must time them out (answer or close)
 * on its own, or a few thousand such clients exhaust it.
 */
export const STALLED_REQUESTS: readonly RawFuzzRequest[] = [
  raw('stalled: body shorter than Content-Length, connection kept open', [
    post('/v1/auth/login', 'Content-Length: 100\r\n', '{"email":'),
  ]),
  raw('stalled: headers never finished, connection kept open', [`POST /v1/auth/login HTTP/1.1\r\n${HOST}${JSON_TYPE}`]),
];
