import { SetMetadata } from '@nestjs/common';
import type { Role } from '../principal';

export const REQUIRED_ROLES = 'auth:roles';

/** Only callers with one of these roles may use the route; others get 403. */
export const Roles = (...roles: Role[]): MethodDecorator & ClassDecorator => SetMetadata(REQUIRED_ROLES, roles);
