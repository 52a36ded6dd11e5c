import { randomUUID } from 'node:crypto';
import { type IncomingMessage, type ServerResponse, STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { instanceOf, problemBody } from '../problem/problem-body';
import { PROBLEM_CONTENT_TYPE, ProblemException } from '../problem/problem-details';
import { ProblemType } from '../problem/problem-types';
import { REQUEST_ID_HEADER } from './request-id';
import { SECURITY_HEADERS } from './security-headers';

/**
 * Answers from below the application: Node's HTTP parser (`clientError`: malformed request line, headers too
 * large, CL+TE, a head or body that does not arrive in time) and Fastify's router (a malformed URL, an
 * over-long route parameter). They never reach Nest's exception filter, so they are written here, in the same
 * problem+json shape and with the same security headers as every other answer.
 */

const CLIENT_ERRORS: Record<string, { status: number; type: string; detail: string }> = {
  ERR_HTTP_REQUEST_TIMEOUT: {
    status: 408,
    type: ProblemType.requestTimeout,
    detail: 'The request did not arrive in time',
  },
  HPE_HEADER_OVERFLOW: {
    status: 431,
    type: ProblemType.badRequest,
    detail: 'The request header fields are too large',
  },
};

const MALFORMED_REQUEST = {
  status: 400,
  type: ProblemType.badRequest,
  detail: 'The request is not valid HTTP/1.1',
};

interface ProblemInitLite {
  status: number;
  type: string;
  detail: string;
}

/** Headers and body of a problem answered below the app; the connection always closes after it. */
function lowLevelProblem(init: ProblemInitLite, instance?: string): { headers: Array<[string, string]>; body: string } {
  const requestId = randomUUID();
  const body = JSON.stringify(problemBody(new ProblemException(init), { requestId, instance }));
  const headers: Array<[string, string]> = [
    ...SECURITY_HEADERS.map(([name, value]): [string, string] => [name, value]),
    ['content-type', PROBLEM_CONTENT_TYPE],
    ['content-length', String(Buffer.byteLength(body))],
    ['cache-control', 'no-store'],
    [REQUEST_ID_HEADER, requestId],
    ['connection', 'close'],
  ];
  return { headers, body };
}

/**
 * The raw HTTP/1.1 answer for a parser error: problem+json, security headers, and the connection closes. The
 * answer to a HEAD request has no body (a client would read one as garbage after the response).
 */
export function clientErrorResponse(code: string | undefined, method?: string): string {
  const init = (code && CLIENT_ERRORS[code]) || MALFORMED_REQUEST;
  const { headers, body } = lowLevelProblem(init);
  const head = headers.map(([name, value]) => `${name}: ${value}\r\n`).join('');
  return `HTTP/1.1 ${init.status} ${STATUS_CODES[init.status]}\r\n${head}\r\n${method === 'HEAD' ? '' : body}`;
}

/** The method of a request Node could not parse, read from the bytes it received (when it has them). */
const methodOf = ({ rawPacket }: { rawPacket?: unknown }): string | undefined =>
  Buffer.isBuffer(rawPacket) ? /^([A-Z]+) /.exec(rawPacket.subarray(0, 16).toString('latin1'))?.[1] : undefined;

/**
 * Requests Node's server answers itself, before Fastify sees them: an `Expect` header other than
 * `100-continue` (417, Node's `checkExpectation` event) and an HTTP/1.1 request without `Host` (400; the server
 * is created with `requireHostHeader: false` so that the request reaches this check instead).
 */
export function answerUnacceptableRequest(request: IncomingMessage, response: ServerResponse): boolean {
  const expectation = request.headers.expect;
  const init: ProblemInitLite | undefined =
    expectation !== undefined && expectation.toLowerCase() !== '100-continue'
      ? {
          status: 417,
          type: ProblemType.badRequest,
          detail: 'The Expect header names an expectation this server does not meet',
        }
      : request.httpVersion === '1.1' && !request.headers.host
        ? { status: 400, type: ProblemType.badRequest, detail: 'An HTTP/1.1 request needs a Host header' }
        : undefined;
  if (init === undefined) return false;
  const { headers, body } = lowLevelProblem(init, instanceOf(request.url));
  response.writeHead(init.status, headers).end(body);
  return true;
}

/** Fastify's `clientErrorHandler`: answers unless the peer is gone or a response is already under way. */
export function handleClientError(error: Error & { code?: string; rawPacket?: unknown }, socket: Socket): void {
  const inFlight = (socket as Socket & { _httpMessage?: { headersSent?: boolean; req?: { method?: string } } })
    ._httpMessage;
  if (error.code !== 'ECONNRESET' && !socket.destroyed && socket.writable && !inFlight?.headersSent) {
    socket.write(clientErrorResponse(error.code, inFlight?.req?.method ?? methodOf(error)));
  }
  socket.destroy();
}

const FRAMEWORK_ERRORS: Record<string, { status: number; type: string; detail: string }> = {
  FST_ERR_BAD_URL: { status: 400, type: ProblemType.badRequest, detail: 'The request URL is malformed' },
  FST_ERR_MAX_PARAM_LENGTH: {
    status: 414,
    type: ProblemType.badRequest,
    detail: 'A path segment of the request URL is too long',
  },
};

/** Fastify's `frameworkErrors`: the router's own rejections, before any hook has run. */
export function handleFrameworkError(error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  const init = FRAMEWORK_ERRORS[error.code] ?? {
    status: 400,
    type: ProblemType.badRequest,
    detail: 'The request could not be routed',
  };
  const requestId = String(request.id);
  for (const [name, value] of SECURITY_HEADERS) void reply.header(name, value);
  void reply
    .code(init.status)
    .header('cache-control', 'no-store')
    .header(REQUEST_ID_HEADER, requestId)
    .type(PROBLEM_CONTENT_TYPE)
    .send(JSON.stringify(problemBody(new ProblemException(init), { requestId, instance: instanceOf(request.url) })));
}
