import { ProblemException } from '@app/core';

const AUTH_TYPE = 'https://errors.example.dev/unauthorized';

/** 401 with `WWW-Authenticate: Bearer`; the detail never says which check failed. */
export function unauthorized(detail = 'Missing or invalid credentials', error?: 'invalid_token'): ProblemException {
  return new ProblemException({
    status: 401,
    type: AUTH_TYPE,
    detail,
    headers: { 'www-authenticate': error ? `Bearer error="${error}"` : 'Bearer' },
  });
}

export function forbidden(detail = 'Your role does not allow this action'): ProblemException {
  return new ProblemException({ status: 403, type: 'https://errors.example.dev/forbidden', detail });
}
