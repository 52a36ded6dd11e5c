import { Agent, type IncomingHttpHeaders, type OutgoingHttpHeaders, request as httpRequest } from 'node:http';
import type { HeaderList, HttpFuzzRequest } from './fuzz-request';

/** One response as the invariants look at it, whichever client received it. */
export interface Answer {
  /** The request method (`RAW` when the request line was not one), for HEAD's body-less answers. */
  method: string;
  status: number;
  /** Lower-case names. */
  headers: IncomingHttpHeaders;
  body: Buffer;
  durationMs: number;
}

export type HttpOutcome =
  { kind: 'answered'; answer: Answer } | { kind: 'no answer'; reason: string; durationMs: number };

/** Headers for node:http: repeated names become arrays (sent as separate lines); Content-Length is added. */
function outgoingHeaders(headers: HeaderList, body: Buffer | undefined): OutgoingHttpHeaders {
  const out: Record<string, string | string[]> = {};
  for (const [rawName, value] of headers) {
    const name = rawName.toLowerCase();
    const previous = out[name];
    out[name] = previous === undefined ? value : [...(Array.isArray(previous) ? previous : [previous]), value];
  }
  if (body !== undefined && out['content-length'] === undefined && out['transfer-encoding'] === undefined) {
    out['content-length'] = String(body.length);
  }
  return out;
}

const orNoAnswer =
  (started: number) =>
  (outcome: HttpOutcome | 'stale connection'): HttpOutcome =>
    outcome === 'stale connection'
      ? { kind: 'no answer', reason: 'connection reset twice', durationMs: performance.now() - started }
      : outcome;

/**
 * Sends requests one at a time over a single keep-alive connection (reopened when the server closes it), and
 * gives up on an answer after `timeoutMs`.
 */
export class KeepAliveClient {
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 1 });

  constructor(
    private readonly baseUrl: URL,
    private readonly timeoutMs: number,
  ) {}

  /**
   * Sends one request. A keep-alive connection the server closed meanwhile fails at once when reused: like any
   * HTTP client, that attempt is repeated once on a fresh connection (it never reached the server).
   */
  async send(request: HttpFuzzRequest): Promise<HttpOutcome> {
    const started = performance.now();
    const first = await this.attempt(request, started);
    return first === 'stale connection' ? this.attempt(request, started).then(orNoAnswer(started)) : first;
  }

  private attempt(request: HttpFuzzRequest, started: number): Promise<HttpOutcome | 'stale connection'> {
    const body = request.body ? Buffer.from(request.body.text, request.body.encoding) : undefined;
    return new Promise((resolve) => {
      let settled = false;
      const settle = (outcome: HttpOutcome | 'stale connection'): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve(outcome);
      };
      const fail = (reason: string): void =>
        settle({ kind: 'no answer', reason, durationMs: performance.now() - started });

      const req = httpRequest(
        {
          host: this.baseUrl.hostname,
          port: this.baseUrl.port,
          method: request.method,
          path: request.target,
          headers: outgoingHeaders(request.headers, body),
          agent: this.agent,
        },
        (res) => {
          const chunks: Buffer[] = [];
          const answered = (): void =>
            settle({
              kind: 'answered',
              answer: {
                method: request.method,
                status: res.statusCode ?? 0,
                headers: res.headers,
                body: Buffer.concat(chunks),
                durationMs: performance.now() - started,
              },
            });
          // An event stream never ends by itself: its first frame is its answer, then this client leaves (as a
          // real one may at any time), and the next request opens a new connection.
          const streaming = String(res.headers['content-type'] ?? '').startsWith('text/event-stream');
          res.on('data', (chunk: Buffer) => {
            chunks.push(chunk);
            if (streaming && Buffer.concat(chunks).includes('\n\n')) {
              answered();
              res.destroy();
            }
          });
          res.on('error', (error) => fail(`response aborted: ${error.message}`));
          res.on('end', answered);
        },
      );
      const timer = setTimeout(() => {
        fail(`no answer within ${this.timeoutMs} ms`);
        req.destroy();
      }, this.timeoutMs);
      req.on('error', (error: NodeJS.ErrnoException) => {
        if (req.reusedSocket && error.code === 'ECONNRESET') settle('stale connection');
        else fail(`connection failed: ${error.message}`);
      });
      req.end(body);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}
