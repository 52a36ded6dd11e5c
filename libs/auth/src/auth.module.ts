import { type DynamicModule, Global, Module, type ModuleMetadata } from '@nestjs/common';
import { APP_GUARD, APP_INTERCEPTOR } from '@nestjs/core';
import { ThrottlerModule } from '@nestjs/throttler';
import { AppConfig } from '@app/core';
import { CredentialThrottleMetricsInterceptor } from './credential-throttle/credential-throttle-metrics.interceptor';
import { CredentialThrottle } from './credential-throttle/credential-throttle.service';
import { SystemThrottleClock, ThrottleClock } from './credential-throttle/throttle-clock';
import { IdentifyCallerGuard, RequireAuthenticationGuard } from './guards/authentication.guard';
import { CallerCache } from './guards/caller-cache';
import { RateLimitGuard } from './guards/rate-limit.guard';
import { RolesGuard } from './guards/roles.guard';
import { Argon2PasswordHasher } from './password/argon2-password-hasher';
import { PasswordHasher } from './password/password-hasher';
import { RateLimitStorage } from './rate-limit-storage/rate-limit.storage';
import { rateLimitOptions } from './rate-limits';
import { AccessTokenService } from './tokens/access-token.service';
import { RefreshTokensRepository } from './tokens/refresh-tokens.repository';
import { SessionTokens } from './tokens/session-tokens.service';

/** The counters' storage, a module of its own so that the throttler's async factory can inject it. */
@Module({ providers: [RateLimitStorage], exports: [RateLimitStorage] })
class RateLimitStorageModule {}

export interface AuthModuleOptions {
  /** Modules that provide (and export) `PrincipalStore`: where accounts live. */
  imports: NonNullable<ModuleMetadata['imports']>;
}

/**
 * Authentication, roles and rate limits for the whole app, as global guards in this order: identify the
 * caller (never rejects) → rate limit (per user, else per IP, so unauthenticated and badly
 * authenticated traffic is limited too) → require authentication (`@Public()` opts out) → roles. Also the
 * per-account throttle of failed password checks (`CredentialThrottle`), which services call around a check.
 */
@Global()
@Module({})
export class AuthModule {
  static forRoot(options: AuthModuleOptions): DynamicModule {
    return {
      module: AuthModule,
      imports: [
        ...options.imports,
        ThrottlerModule.forRootAsync({
          imports: [RateLimitStorageModule],
          inject: [AppConfig, RateLimitStorage],
          useFactory: rateLimitOptions,
        }),
      ],
      providers: [
        { provide: PasswordHasher, useClass: Argon2PasswordHasher },
        AccessTokenService,
        RefreshTokensRepository,
        SessionTokens,
        CallerCache,
        { provide: ThrottleClock, useClass: SystemThrottleClock },
        CredentialThrottle,
        { provide: APP_INTERCEPTOR, useClass: CredentialThrottleMetricsInterceptor },
        { provide: APP_GUARD, useClass: IdentifyCallerGuard },
        { provide: APP_GUARD, useClass: RateLimitGuard },
        { provide: APP_GUARD, useClass: RequireAuthenticationGuard },
        { provide: APP_GUARD, useClass: RolesGuard },
      ],
      exports: [PasswordHasher, AccessTokenService, SessionTokens, CallerCache, CredentialThrottle],
    };
  }
}
