import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { isUUID } from 'class-validator';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ProblemException } from '@app/core';
import { unauthorized } from '../auth-problems';
import { IS_PUBLIC } from '../decorators/public.decorator';
import { type Principal, type PrincipalRecord, PrincipalStore } from '../principal';
import { AccessTokenService } from '../tokens/access-token.service';
import { SessionTokens } from '../tokens/session-tokens.service';
import { CallerCache } from './caller-cache';

const BEARER = /^Bearer ([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*)$/;

type AuthRequest = FastifyRequest & { principal?: Principal; authFailure?: ProblemException };

/**
 * First global guard: works out who is calling and never rejects, so the rate limiter that runs next
 * can key by user or by IP (a client sending bad tokens is still limited). Beyond the signature and
 * claims, the account must exist, be enabled, not have logged out everywhere since the token was
 * issued, and the token's session must not be revoked (logout, password change); the role is the
 * account's current one, not the token's. Those lookups are reused for up to a second ({@link CallerCache}).
 */
@Injectable()
export class IdentifyCallerGuard implements CanActivate {
  constructor(
    private readonly accessTokens: AccessTokenService,
    private readonly principals: PrincipalStore,
    private readonly sessions: SessionTokens,
    private readonly callers: CallerCache,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true;
    const request = context.switchToHttp().getRequest<AuthRequest>();
    const header = request.headers.authorization;
    if (header === undefined) return true;
    const match = BEARER.exec(header);
    if (!match?.[1]) {
      request.authFailure = unauthorized('The Authorization header is not a Bearer token', 'invalid_token');
      return true;
    }
    const claims = await this.accessTokens.verify(match[1]);
    const account = claims && isUUID(claims.sid) ? await this.accountOf(claims.sub) : undefined;
    if (
      !claims ||
      !account ||
      account.disabled ||
      account.sessionVersion !== claims.sv ||
      !(await this.sessionActive(account.id, claims.sid))
    ) {
      request.authFailure = unauthorized('The access token is invalid or expired', 'invalid_token');
      return true;
    }
    request.principal = { id: account.id, role: account.role, sessionId: claims.sid, expiresAt: claims.exp };
    return true;
  }

  private accountOf(userId: string): Promise<PrincipalRecord | undefined> {
    return this.callers.loadAccount(userId, () => this.principals.findPrincipal(userId));
  }

  private sessionActive(userId: string, sessionId: string): Promise<boolean> {
    return this.callers.loadSession(userId, sessionId, () => this.sessions.isActive(sessionId, userId));
  }
}

/**
 * Runs after the rate limiter: every route needs an identified caller unless marked `@Public()`.
 * Authenticated responses are marked `Cache-Control: no-store`.
 */
@Injectable()
export class RequireAuthenticationGuard implements CanActivate {
  constructor(private readonly reflector: Reflector) {}

  canActivate(context: ExecutionContext): boolean {
    if (context.getType() !== 'http') return true;
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, [context.getHandler(), context.getClass()])) return true;
    const http = context.switchToHttp();
    const request = http.getRequest<AuthRequest>();
    if (!request.principal) throw request.authFailure ?? unauthorized();
    void http.getResponse<FastifyReply>().header('cache-control', 'no-store');
    return true;
  }
}
