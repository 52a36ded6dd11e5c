import { ProblemException } from '@app/core';

export const TOO_MANY_FAILED_ATTEMPTS = 'https://errors.example.dev/too-many-failed-attempts';

/**
 * 429 for an account that must wait before its password is checked again. The same for every account, known
 * or not, so that it reveals nothing about which emails are registered.
 */
export function tooManyFailedAttempts(retryAfterSeconds: number): ProblemException {
  return new ProblemException({
    status: 429,
    type: TOO_MANY_FAILED_ATTEMPTS,
    detail: `Too many failed attempts with these credentials; the password can be checked again in ${retryAfterSeconds} s`,
    headers: { 'retry-after': String(retryAfterSeconds) },
  });
}

export const isTooManyFailedAttempts = (error: unknown): boolean =>
  error instanceof ProblemException && error.problemType === TOO_MANY_FAILED_ATTEMPTS;
