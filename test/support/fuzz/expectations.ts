import { expect } from 'vitest';
import type { ProblemBody } from '../auth';
import { describeAnswer, type Exchange } from './exchange';
import type { FuzzHarness } from './fuzz-harness';
import { describeRequest, type FuzzRequest } from './fuzz-request';
import { describeSample, isSlowOrFailed, LIVENESS_BOUND_MS } from './liveness-probe';

/** A validation problem lists at most this many errors: enough to fix a request, too few to amplify one. */
export const MAX_REPORTED_ERRORS = 100;

export interface Expected {
  /** The status, or the statuses that are all correct (e.g. 400 or 413 for a body too complex to process). */
  status: number | readonly number[];
  /** Fields a 400 problem's `errors[].field` must name. */
  fields?: readonly string[];
}

/** Refused as invalid (400) or as content larger or more complex than the server will process (413). */
export const REFUSED_AS_INVALID_OR_TOO_LARGE: readonly number[] = [400, 413];

const parseProblem = (exchange: Exchange): ProblemBody | undefined => {
  try {
    return JSON.parse(exchange.answers[0]?.body.toString('utf8') ?? '') as ProblemBody;
  } catch {
    return undefined;
  }
};

/** Everything wrong with an exchange of a regression case, as readable lines (empty when it is right). */
function regressionProblems(exchange: Exchange, expected: Expected): string[] {
  const problems: string[] = [];
  const status = exchange.answers[0]?.status;
  const allowed = typeof expected.status === 'number' ? [expected.status] : expected.status;
  if (status === undefined || !allowed.includes(status)) {
    problems.push(`status ${status ?? exchange.end}, expected ${allowed.join(' or ')}`);
  }
  problems.push(...exchange.findings.map((finding) => `${finding.invariant}: ${finding.detail}`));
  for (const sample of exchange.probes) {
    if (isSlowOrFailed(sample)) {
      problems.push(`liveness probe not 200 within ${LIVENESS_BOUND_MS} ms: ${describeSample(sample)}`);
    }
  }
  if (status !== undefined && status >= 400) {
    const errors = parseProblem(exchange)?.errors ?? [];
    if (errors.length > MAX_REPORTED_ERRORS) {
      problems.push(`errors lists ${errors.length} entries (at most ${MAX_REPORTED_ERRORS} expected)`);
    }
    const named = new Set(errors.map((error) => error.field));
    for (const field of status === 400 ? (expected.fields ?? []) : []) {
      if (!named.has(field))
        problems.push(`errors[].field does not name ${field} (names: ${[...named].slice(0, 10).join(', ') || 'none'})`);
    }
  }
  return problems;
}

/** Sends a regression request with a concurrent liveness probe and expects exactly `expected`, within every invariant. */
export async function expectExchange(
  harness: FuzzHarness,
  request: FuzzRequest,
  expected: Expected,
): Promise<Exchange> {
  const exchange = await harness.exchange(request, { sideProbe: true });
  const context = `${describeRequest(exchange.request)}\n→ ${describeAnswer(exchange)}`;
  expect(regressionProblems(exchange, expected), context).toEqual([]);
  return exchange;
}
