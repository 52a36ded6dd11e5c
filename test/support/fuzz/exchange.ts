import type { FuzzRequest } from './fuzz-request';
import type { Answer } from './http-client';
import { type Finding, markersIn } from './invariants';
import type { ProbeSample } from './liveness-probe';
import type { RawEnd } from './raw-socket';

/** How an exchange ended: the raw client's ends, or an HTTP request that got no answer. */
export type End = RawEnd | 'no answer';

/** One request and everything observed about it. */
export interface Exchange {
  /** As sent, placeholders resolved. */
  request: FuzzRequest;
  answers: Answer[];
  end: End;
  /** Why there was no answer, when there was none. */
  reason: string;
  findings: Finding[];
  /** Liveness probes that were due while it ran. */
  probes: ProbeSample[];
}

const safeDecode = (text: string): string => {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
};

/** Everything a request carried, so that an answer echoing it is not taken for a leak. */
function sentText(request: FuzzRequest): string {
  if (request.kind === 'raw') return request.chunks.join('');
  return [
    request.method,
    request.target,
    safeDecode(request.target),
    ...request.headers.map(([, v]) => v),
    request.body?.text ?? '',
  ].join('\n');
}

/** The leak markers a request carried, computed once and only if asked. */
export function sentMarkersOf(request: FuzzRequest): () => ReadonlySet<string> {
  let markers: ReadonlySet<string> | undefined;
  return () => (markers ??= markersIn(sentText(request)));
}

/** Status, Content-Type and the start of the body of an exchange's first answer, or how it ended without one. */
export const describeAnswer = (exchange: Exchange): string => {
  const answer = exchange.answers[0];
  if (!answer) return `${exchange.end}${exchange.reason ? `: ${exchange.reason}` : ''}`;
  const type = answer.headers['content-type'] ?? '(no Content-Type)';
  const body = answer.body.toString('utf8');
  const more = body.length > 300 ? `… (${answer.body.length} bytes)` : '';
  return `${answer.status} ${type} ${JSON.stringify(body.slice(0, 300))}${more}`;
};

/** The HTTP status of the first answer, or how the exchange ended without one. */
export const outcomeOf = (exchange: Exchange): string => String(exchange.answers[0]?.status ?? exchange.end);
