import type { IncomingHttpHeaders } from 'node:http';
import { connect } from 'node:net';
import type { RawFuzzRequest } from './fuzz-request';
import type { Answer } from './http-client';

/**
 * How a raw exchange ended: with every expected answer, the server closing (FIN or reset), silence, or a connection
 * that failed otherwise (refused…).
 */
export type RawEnd = 'answered' | 'closed' | 'reset' | 'timeout' | 'failed';

export interface RawOutcome {
  answers: Answer[];
  end: RawEnd;
  durationMs: number;
  /** Bytes received that were not a complete response. */
  leftover: string;
  /** The socket error behind a `failed` end. */
  error?: string;
}

const HEADER_END = Buffer.from('\r\n\r\n');

interface Parsed {
  answers: Omit<Answer, 'durationMs'>[];
  rest: Buffer;
}

function parseHeaders(lines: readonly string[]): IncomingHttpHeaders {
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    headers[name] = headers[name] === undefined ? value : `${headers[name]}, ${value}`;
  }
  return headers;
}

/** A chunked body starting at `offset`: its bytes and where it ends, or undefined while incomplete. */
function readChunked(data: Buffer, offset: number): { body: Buffer; end: number } | undefined {
  const parts: Buffer[] = [];
  let at = offset;
  for (;;) {
    const lineEnd = data.indexOf('\r\n', at);
    if (lineEnd < 0) return undefined;
    const size = Number.parseInt(data.subarray(at, lineEnd).toString('latin1'), 16);
    if (Number.isNaN(size)) return undefined;
    if (size === 0) {
      const trailerEnd = data.indexOf('\r\n\r\n', lineEnd);
      return trailerEnd < 0 ? undefined : { body: Buffer.concat(parts), end: trailerEnd + 4 };
    }
    if (data.length < lineEnd + 2 + size + 2) return undefined;
    parts.push(data.subarray(lineEnd + 2, lineEnd + 2 + size));
    at = lineEnd + 2 + size + 2;
  }
}

/** The complete HTTP/1.x responses at the start of `data` (interim 1xx ones skipped). */
function parseResponses(data: Buffer, method: string, closed: boolean): Parsed {
  const answers: Parsed['answers'] = [];
  let rest = data;
  for (;;) {
    const headEnd = rest.indexOf(HEADER_END);
    if (headEnd < 0) return { answers, rest };
    const [statusLine = '', ...lines] = rest.subarray(0, headEnd).toString('latin1').split('\r\n');
    const status = Number(/^HTTP\/\d\.\d (\d{3})/.exec(statusLine)?.[1] ?? 0);
    const headers = parseHeaders(lines);
    const bodyStart = headEnd + HEADER_END.length;
    if (status >= 100 && status < 200) {
      rest = rest.subarray(bodyStart);
      continue;
    }
    let body: Buffer;
    let end: number;
    if (/chunked/i.test(String(headers['transfer-encoding'] ?? ''))) {
      const chunked = readChunked(rest, bodyStart);
      if (!chunked) return { answers, rest };
      ({ body, end } = chunked);
    } else if (headers['content-length'] !== undefined) {
      end = bodyStart + Number(headers['content-length']);
      if (rest.length < end) return { answers, rest };
      body = rest.subarray(bodyStart, end);
    } else if (closed) {
      end = rest.length;
      body = rest.subarray(bodyStart);
    } else {
      return { answers, rest };
    }
    answers.push({ method, status, headers, body });
    rest = rest.subarray(end);
  }
}

const methodOf = (request: RawFuzzRequest): string => /^([A-Z]+) /.exec(request.chunks[0] ?? '')?.[1] ?? 'RAW';

export interface RawOptions {
  /** How long to wait for the server to answer or close, counted from the last thing the client did. */
  timeoutMs: number;
  /**
   * Half-close the connection after this long without the expected answers (the request's own
   * `halfCloseAfterMs` wins): whatever the server still waits for, it then knows it will not come. Undefined keeps
   * the connection open (a stalled client).
   */
  halfCloseAfterMs?: number;
}

/**
 * Writes the request's bytes on a fresh connection and reads until the expected responses arrived, the server
 * closed, or the client gave up.
 */
export function sendRaw(port: number, request: RawFuzzRequest, options: RawOptions): Promise<RawOutcome> {
  const { timeoutMs } = options;
  const halfCloseAfter = request.halfCloseAfterMs ?? options.halfCloseAfterMs;
  const method = methodOf(request);
  const started = performance.now();
  return new Promise<RawOutcome>((resolve) => {
    const socket = connect({ port, host: '127.0.0.1' });
    let received = Buffer.alloc(0);
    let finished = false;
    let timer: NodeJS.Timeout | undefined;
    let error: string | undefined;

    const finish = (end: RawEnd): void => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      socket.destroy();
      const durationMs = performance.now() - started;
      const parsed = parseResponses(received, method, end !== 'timeout');
      resolve({
        answers: parsed.answers.map((answer) => ({ ...answer, durationMs })),
        end: end === 'closed' && parsed.answers.length >= request.expectedResponses ? 'answered' : end,
        durationMs,
        leftover: parsed.rest.toString('latin1').slice(0, 300),
        error,
      });
    };
    const waitAtMost = (ms: number): void => {
      clearTimeout(timer);
      timer = setTimeout(() => finish('timeout'), ms);
    };

    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      if (parseResponses(received, method, false).answers.length >= request.expectedResponses) finish('answered');
    });
    socket.on('end', () => finish('closed'));
    socket.on('close', () => finish('closed'));
    socket.on('error', (failure: NodeJS.ErrnoException) => {
      error = `${failure.code ?? ''} ${failure.message}`.trim();
      finish(failure.code === 'ECONNRESET' || failure.code === 'EPIPE' ? 'reset' : 'failed');
    });
    socket.on('connect', () => {
      for (const chunk of request.chunks) socket.write(Buffer.from(chunk, 'latin1'));
      if (halfCloseAfter === undefined) {
        waitAtMost(timeoutMs);
        return;
      }
      clearTimeout(timer);
      timer = setTimeout(() => {
        if (finished) return;
        socket.end();
        waitAtMost(timeoutMs);
      }, halfCloseAfter);
    });
    waitAtMost(timeoutMs);
  });
}
