import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { unauthorized } from '../auth-problems';
import type { Principal } from '../principal';

export type AuthenticatedRequest = { principal?: Principal };

/** The authenticated caller (set by the authentication guard). */
export const CurrentUser = createParamDecorator((_data: unknown, context: ExecutionContext): Principal => {
  const principal = context.switchToHttp().getRequest<AuthenticatedRequest>().principal;
  if (!principal) throw unauthorized();
  return principal;
});
