export { AuthModule, type AuthModuleOptions } from './auth.module';
export { forbidden, unauthorized } from './auth-problems';
export { CurrentUser, type AuthenticatedRequest } from './decorators/current-user.decorator';
export { Public } from './decorators/public.decorator';
export { RateLimit, type RateLimitName } from './decorators/rate-limit.decorator';
export { Roles } from './decorators/roles.decorator';
export { ROLES, PrincipalStore, type Principal, type PrincipalRecord, type Role } from './principal';
export { AccessTokenService, type AccessTokenClaims } from './tokens/access-token.service';
export { SessionTokens, type TokenPair } from './tokens/session-tokens.service';
export { Argon2PasswordHasher } from './password/argon2-password-hasher';
export { PasswordHasher } from './password/password-hasher';
export {
  IsAcceptablePassword,
  PASSWORD_MAX_LENGTH,
  PASSWORD_MIN_LENGTH,
  passwordProblems,
} from './password/password-policy';
export { CredentialThrottle, type CredentialCheckOptions } from './credential-throttle/credential-throttle.service';
export { ThrottleClock } from './credential-throttle/throttle-clock';
export { TOO_MANY_FAILED_ATTEMPTS } from './credential-throttle/too-many-failed-attempts.problem';
export { CALLER_CACHE_TTL_MS, CallerCache } from './guards/caller-cache';
