import { type ProblemDetails, type ProblemException, statusTitle } from './problem-details';

/** The RFC 9457 body of a problem, as every layer sends it. */
export function problemBody(
  problem: ProblemException,
  context: { instance?: string; requestId: string },
): ProblemDetails {
  const status = problem.getStatus();
  return {
    type: problem.problemType,
    title: problem.title ?? statusTitle(status),
    status,
    ...(problem.detail !== undefined ? { detail: problem.detail } : {}),
    ...(context.instance !== undefined ? { instance: context.instance } : {}),
    requestId: context.requestId,
    ...(problem.errors ? { errors: problem.errors } : {}),
    ...problem.extensions,
  };
}

/** The path of a request target without its query (never echo a query string: it may carry anything). */
export const instanceOf = (url: string | undefined): string => (url ?? '').split('?')[0];
