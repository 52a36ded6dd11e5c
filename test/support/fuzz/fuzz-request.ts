/** What the fuzz sends: HTTP requests through a keep-alive client, and raw bytes over a socket. */

export type HeaderList = ReadonlyArray<readonly [name: string, value: string]>;

export interface RequestBody {
  text: string;
  /** `latin1` sends every char as one byte (0–255): invalid UTF-8, overlong forms, a UTF-16 BOM. */
  encoding: 'utf8' | 'latin1';
}

export interface HttpFuzzRequest {
  kind: 'http';
  /** The route as the report groups it, e.g. `POST /v1/orders` or `unknown route`. */
  route: string;
  method: string;
  /** Path and query string, percent-encoded as sent. */
  target: string;
  /** In order; a name may repeat. */
  headers: HeaderList;
  body?: RequestBody;
}

export interface RawFuzzRequest {
  kind: 'raw';
  /** The abuse, e.g. `raw: duplicate Content-Length`. */
  route: string;
  /** Written one after the other, as latin1 bytes. */
  chunks: readonly string[];
  /**
   * For a request known to be incomplete (a body shorter than its Content-Length, an unfinished chunked body): how
   * long to wait for an answer before the client half-closes the connection; then the server must answer or close.
   */
  halfCloseAfterMs?: number;
  /** Final responses to read before the client stops listening (pipelined requests get several). */
  expectedResponses: number;
}

export type FuzzRequest = HttpFuzzRequest | RawFuzzRequest;

/** True when the request asks to change something (the DB fingerprint is compared around these). */
export const isMutating = (request: FuzzRequest): boolean =>
  request.kind === 'raw' || !['GET', 'HEAD', 'OPTIONS'].includes(request.method);

const BODY_EXCERPT = 500;

/** Printable, single-line-per-part form of text that may hold control characters or lone surrogates. */
const printable = (text: string): string => JSON.stringify(text).slice(1, -1);

/** How a failing request is shown: method, target, headers and the first 500 characters of its body. */
export function describeRequest(request: FuzzRequest): string {
  if (request.kind === 'raw') {
    const bytes = request.chunks.join('');
    const halfClose =
      request.halfCloseAfterMs === undefined ? '' : ` (half-closed after ${request.halfCloseAfterMs} ms)`;
    return `raw bytes${halfClose}, ${bytes.length} bytes: ${printable(bytes.slice(0, BODY_EXCERPT))}`;
  }
  const lines = [`${request.method} ${printable(request.target.slice(0, 2_000))}`];
  for (const [name, value] of request.headers) {
    const shown = value.length > 300 ? `${value.slice(0, 300)}… (${value.length} chars)` : value;
    lines.push(`${name}: ${printable(shown)}`);
  }
  if (request.body) {
    const { text, encoding } = request.body;
    const more = text.length > BODY_EXCERPT ? `… (${text.length} chars)` : '';
    lines.push(`body (${encoding}): ${printable(text.slice(0, BODY_EXCERPT))}${more}`);
  }
  return lines.join('\n');
}
