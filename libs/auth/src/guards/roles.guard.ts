import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { forbidden } from '../auth-problems';
import type { AuthenticatedRequest } from '../decorators/current-user.decorator';
import { REQUIRED_ROLES } from '../decorators/roles.decorator';
import type { Role } from '../principal';

/** `@Roles(...)`: an authenticated caller without one of the roles gets 403. */
@Injectable()
export class RolesGuard implements CanActivate {
  constructor(private readonly reflector: Reflector) {}

  canActivate(context: ExecutionContext): boolean {
    const roles = this.reflector.getAllAndOverride<Role[] | undefined>(REQUIRED_ROLES, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (!roles || roles.length === 0) return true;
    const principal = context.switchToHttp().getRequest<AuthenticatedRequest>().principal;
    if (!principal || !roles.includes(principal.role)) throw forbidden();
    return true;
  }
}
