import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { unauthorized } from '../auth-problems';
import { IS_PUBLIC } from '../decorators/public.decorator';
import { type Principal, PrincipalStore } from '../principal';
import { AccessTokenService } from '../tokens/access-token.service';

const BEARER = /^Bearer ([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*)$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Global: every route needs a valid access token unless marked `@Public()`. Beyond the signature and
 * claims, the account must still exist, be enabled, and not have logged out everywhere since the
 * token was issued; the role is the account's current one, not the token's.
 */
@Injectable()
export class AuthenticationGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly accessTokens: AccessTokenService,
    private readonly principals: PrincipalStore,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true;
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, [context.getHandler(), context.getClass()])) return true;

    const http = context.switchToHttp();
    const request = http.getRequest<FastifyRequest & { principal?: Principal }>();
    const match = BEARER.exec(request.headers.authorization ?? '');
    if (!match?.[1]) throw unauthorized();

    const claims = await this.accessTokens.verify(match[1]);
    if (!claims || !UUID.test(claims.sub))
      throw unauthorized('The access token is invalid or expired', 'invalid_token');
    const account = await this.principals.findPrincipal(claims.sub);
    if (!account || account.disabled || account.sessionVersion !== claims.sv) {
      throw unauthorized('The access token is invalid or expired', 'invalid_token');
    }

    request.principal = { id: account.id, role: account.role, sessionId: claims.sid };
    void http.getResponse<FastifyReply>().header('cache-control', 'no-store');
    return true;
  }
}
