import { ProblemException, ProblemType } from '@app/core';

export const IdempotencyProblemType = {
  inProgress: 'https://errors.example.dev/idempotency-key-in-use',
  reused: 'https://errors.example.dev/idempotency-key-reused',
} as const;

export const invalidKeyProblem = (): ProblemException =>
  new ProblemException({
    status: 400,
    type: ProblemType.validation,
    title: 'Bad Request',
    detail: 'The Idempotency-Key header is invalid',
    errors: [{ field: 'Idempotency-Key', message: 'must be 1 to 255 printable ASCII characters' }],
  });

export const keyInProgressProblem = (): ProblemException =>
  new ProblemException({
    status: 409,
    type: IdempotencyProblemType.inProgress,
    detail: 'A request with this Idempotency-Key is still being processed; retry shortly',
    headers: { 'retry-after': '1' },
  });

export const keyReusedProblem = (): ProblemException =>
  new ProblemException({
    status: 422,
    type: IdempotencyProblemType.reused,
    detail: 'Idempotency-Key reused with a different request',
  });
