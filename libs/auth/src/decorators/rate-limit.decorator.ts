import { SetMetadata } from '@nestjs/common';

export const RATE_LIMITS = 'auth:rate-limits';

/**
 * Stricter limits for credential routes, on top of the global per-client limit:
 * - `auth`: RATE_LIMIT_AUTH_PER_MINUTE per client IP on this route;
 * - `login`: additionally half of that per IP + email in the body (guessing one account's password).
 */
export type RateLimitName = 'auth' | 'login';

export const RateLimit = (...names: RateLimitName[]): MethodDecorator =>
  SetMetadata(RATE_LIMITS, names.includes('login') ? ['auth', 'login'] : names);
