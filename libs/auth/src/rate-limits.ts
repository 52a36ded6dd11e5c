import type { ExecutionContext } from '@nestjs/common';
import type { ThrottlerModuleOptions, ThrottlerStorage } from '@nestjs/throttler';
import type { AppConfig } from '@app/core';
import { RATE_LIMITS, type RateLimitName } from './decorators/rate-limit.decorator';

const MINUTE = 60_000;

const routeHas = (context: ExecutionContext, name: RateLimitName): boolean =>
  ((Reflect.getMetadata(RATE_LIMITS, context.getHandler()) as RateLimitName[] | undefined) ?? []).includes(name);

type TrackedRequest = { ip?: string; body?: unknown };

/** The named limits: a global one per client, and the stricter ones that `@RateLimit()` switches on. */
export function rateLimitOptions(config: AppConfig, storage: ThrottlerStorage): ThrottlerModuleOptions {
  const { perMinute, authPerMinute } = config.rateLimits;
  return {
    storage,
    throttlers: [
      { name: 'default', ttl: MINUTE, limit: perMinute },
      {
        name: 'auth',
        ttl: MINUTE,
        limit: authPerMinute,
        skipIf: (context) => !routeHas(context, 'auth'),
        getTracker: (req) => `ip:${String((req as TrackedRequest).ip)}`,
      },
      {
        name: 'login',
        ttl: MINUTE,
        limit: Math.max(1, Math.floor(authPerMinute / 2)),
        skipIf: (context) => !routeHas(context, 'login'),
        getTracker: (req) => {
          const { ip, body } = req as TrackedRequest;
          const email =
            typeof (body as { email?: unknown })?.email === 'string' ? (body as { email: string }).email : '';
          return `ip:${String(ip)}|email:${email.trim().toLowerCase()}`;
        },
      },
    ],
  };
}
