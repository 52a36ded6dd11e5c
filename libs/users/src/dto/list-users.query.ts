import { IsEmail, IsIn } from 'class-validator';
import { ROLES, type Role } from '@app/auth';
import { PaginationQueryDto, Omittable } from '@app/core';

export class ListUsersQuery extends PaginationQueryDto {
  @Omittable()
  @IsIn(ROLES)
  role?: Role;

  @Omittable()
  @IsEmail({}, { message: 'must be an email address' })
  email?: string;
}
