import { causeChain, ProblemException, ProblemType, type ProblemMapper } from '@app/core';

/** SQLSTATE of the first error in the cause chain that has one (pg and PGlite both expose `code`). */
export function sqlState(error: unknown): string | undefined {
  for (const link of causeChain(error)) {
    const code = (link as { code?: unknown })?.code;
    if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) return code;
  }
  return undefined;
}

export const isUniqueViolation = (error: unknown): boolean => sqlState(error) === '23505';

export const isRetryableTransactionError = (error: unknown): boolean => {
  const state = sqlState(error);
  return state === '40001' || state === '40P01';
};

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EPIPE',
]);
const UNAVAILABLE_MESSAGES = [
  'timeout exceeded when trying to connect',
  'connection terminated',
  'query read timeout',
  'not queryable',
  'cannot use a pool after calling end',
  'pglite is closed',
];

/** The database could not be reached or did not answer in time: the request may succeed later. */
export function isDatabaseUnavailable(error: unknown): boolean {
  for (const link of causeChain(error)) {
    const code = (link as { code?: unknown })?.code;
    if (typeof code === 'string') {
      if (NETWORK_CODES.has(code)) return true;
      // 08: connection exception; 57P01-03: admin shutdown, crash shutdown, cannot connect now;
      // 53300: too many connections; 57014: statement timeout.
      if (/^08/.test(code) || ['57P01', '57P02', '57P03', '53300', '57014'].includes(code)) return true;
    }
    const message = link instanceof Error ? link.message.toLowerCase() : '';
    if (UNAVAILABLE_MESSAGES.some((fragment) => message.includes(fragment))) return true;
  }
  return false;
}

const RETRY_AFTER_SECONDS = '2';

/** Database errors as problems: constraint conflicts are the client's, outages are 503 with Retry-After. */
export const databaseProblemMapper: ProblemMapper = (error) => {
  if (isDatabaseUnavailable(error)) {
    return new ProblemException({
      status: 503,
      type: ProblemType.unavailable,
      detail: 'The database is unavailable; retry later',
      headers: { 'retry-after': RETRY_AFTER_SECONDS },
      cause: error,
    });
  }
  const state = sqlState(error);
  if (state === undefined) return undefined;
  switch (state) {
    case '23505':
      return new ProblemException({
        status: 409,
        type: ProblemType.conflict,
        detail: 'A resource with the same unique value already exists',
        cause: error,
      });
    case '23503':
      return new ProblemException({
        status: 409,
        type: ProblemType.conflict,
        detail: 'The change conflicts with a related resource',
        cause: error,
      });
    case '40001':
    case '40P01':
      return new ProblemException({
        status: 503,
        type: ProblemType.unavailable,
        detail: 'The request conflicted with concurrent changes; retry it',
        headers: { 'retry-after': '1' },
        cause: error,
      });
    default:
      // 22xxx: a value the database refuses (too long, out of range, malformed).
      if (state.startsWith('22') || state === '23514') {
        return new ProblemException({
          status: 400,
          type: ProblemType.validation,
          detail: 'A value is malformed or out of range',
          cause: error,
        });
      }
      return undefined;
  }
};
