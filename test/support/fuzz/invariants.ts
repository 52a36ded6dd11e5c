import type { Answer } from './http-client';

/** One broken invariant: a stable name (for grouping) and what exactly was seen. */
export interface Finding {
  invariant: string;
  detail: string;
}

/** Generous: the slowest legitimate request here (an argon2 login under load) takes well under a second. */
export const RESPONSE_TIME_BOUND_MS = 5_000;
/** A problem body is a few hundred bytes; more is an amplification (a 1 MiB request must not earn 28 MB). */
export const MAX_PROBLEM_BYTES = 64 * 1024;

export const SECURITY_HEADERS = [
  'x-content-type-options',
  'content-security-policy',
  'x-frame-options',
  'referrer-policy',
  'strict-transport-security',
] as const;

interface LeakMarker {
  name: string;
  pattern: RegExp;
}

/** Internals a response must never carry: stack traces, SQL, file paths of the deployment. */
export const LEAK_MARKERS: readonly LeakMarker[] = [
  { name: 'stack frame', pattern: / {4}at / },
  { name: 'error with a file path', pattern: /Error:[^\n]*\/[\w.@-]+\.[cm]?[jt]s\b/ },
  { name: 'SQL select', pattern: /\bselect\s/i },
  { name: 'SQL insert', pattern: /\binsert\s+into\b/i },
  { name: 'SQL syntax error', pattern: /syntax error at/i },
  { name: 'SQL relation', pattern: /relation "/i },
  { name: 'failed query', pattern: /failed query/i },
  { name: 'path /work/', pattern: /\/work\//i },
  { name: 'node_modules', pattern: /node_modules/i },
  { name: 'dist/', pattern: /\bdist\//i },
  { name: 'TypeScript source position', pattern: /\.ts:/i },
];

/** Markers present in `text` (what a client sent may come back as data, e.g. in a 404's detail). */
export const markersIn = (text: string): Set<string> =>
  new Set(LEAK_MARKERS.filter((marker) => marker.pattern.test(text)).map((marker) => marker.name));

const headerValue = (answer: Answer, name: string): string | undefined => {
  const value = answer.headers[name];
  return Array.isArray(value) ? value.join(', ') : value;
};

const hasBody = (answer: Answer): boolean =>
  answer.method !== 'HEAD' && answer.status !== 204 && answer.status !== 304 && answer.status >= 200;

function problemFindings(answer: Answer): Finding[] {
  const findings: Finding[] = [];
  const contentType = headerValue(answer, 'content-type') ?? '(none)';
  if (!/^application\/problem\+json/i.test(contentType)) {
    findings.push({ invariant: 'error is not application/problem+json', detail: `Content-Type: ${contentType}` });
  }
  if (answer.body.length > MAX_PROBLEM_BYTES) {
    findings.push({
      invariant: `problem body over ${MAX_PROBLEM_BYTES / 1024} KiB`,
      detail: `${answer.body.length} bytes`,
    });
  }
  if (answer.status === 429 && headerValue(answer, 'retry-after') === undefined) {
    findings.push({ invariant: '429 without Retry-After', detail: 'no Retry-After header' });
  }
  if (answer.status === 401 && !/^Bearer\b/.test(headerValue(answer, 'www-authenticate') ?? '')) {
    findings.push({
      invariant: '401 without WWW-Authenticate: Bearer',
      detail: `WWW-Authenticate: ${headerValue(answer, 'www-authenticate') ?? '(none)'}`,
    });
  }
  if (!hasBody(answer)) return findings;
  let body: unknown;
  try {
    body = JSON.parse(answer.body.toString('utf8'));
  } catch {
    findings.push({ invariant: 'problem body is not JSON', detail: answer.body.toString('utf8').slice(0, 200) });
    return findings;
  }
  const problem = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
  const wrong: string[] = [];
  if (typeof problem.type !== 'string') wrong.push(`type=${JSON.stringify(problem.type)}`);
  if (typeof problem.title !== 'string') wrong.push(`title=${JSON.stringify(problem.title)}`);
  if (problem.status !== answer.status) wrong.push(`status=${JSON.stringify(problem.status)} (HTTP ${answer.status})`);
  const requestId = headerValue(answer, 'x-request-id');
  if (problem.requestId !== undefined && problem.requestId !== requestId) {
    wrong.push(`requestId=${JSON.stringify(problem.requestId)} but X-Request-Id: ${requestId}`);
  }
  if (wrong.length > 0) findings.push({ invariant: 'problem body malformed', detail: wrong.join(', ') });
  return findings;
}

export interface CheckContext {
  /**
   * The markers in everything the request sent (target, decoded target, header values, body): echoes are not leaks.
   * A function: computed only when an answer contains a marker, since request bodies can be a megabyte.
   */
  sentMarkers: () => ReadonlySet<string>;
  /** Markers stored by earlier successful writes, which 2xx reads may legitimately return. */
  storedMarkers: ReadonlySet<string>;
  /** Defaults to {@link RESPONSE_TIME_BOUND_MS}; a connection that stalls on purpose is answered when it times out. */
  timeBoundMs?: number;
}

/** Every invariant a response of this API must hold, whatever was asked. */
export function checkAnswer(answer: Answer, context: CheckContext): Finding[] {
  const findings: Finding[] = [];
  if (answer.status >= 500) {
    findings.push({ invariant: 'server error (5xx)', detail: `HTTP ${answer.status}` });
  }
  const missing = SECURITY_HEADERS.filter((name) => headerValue(answer, name) === undefined);
  if (missing.length > 0) {
    findings.push({ invariant: 'security headers missing', detail: missing.join(', ') });
  }
  if (!headerValue(answer, 'x-request-id')) {
    findings.push({ invariant: 'X-Request-Id missing', detail: 'no X-Request-Id header' });
  }
  if (answer.status >= 400) findings.push(...problemFindings(answer));

  const text = answer.body.toString('utf8');
  for (const marker of LEAK_MARKERS) {
    const match = marker.pattern.exec(text);
    if (!match) continue;
    const echoed =
      context.sentMarkers().has(marker.name) || (answer.status < 300 && context.storedMarkers.has(marker.name));
    if (!echoed) {
      const around = text.slice(Math.max(0, match.index - 80), match.index + 120);
      findings.push({ invariant: `body leaks internals (${marker.name})`, detail: around });
    }
  }
  const timeBoundMs = context.timeBoundMs ?? RESPONSE_TIME_BOUND_MS;
  if (answer.durationMs > timeBoundMs) {
    findings.push({
      invariant: `answer slower than ${timeBoundMs} ms`,
      detail: `${Math.round(answer.durationMs)} ms`,
    });
  }
  return findings;
}
