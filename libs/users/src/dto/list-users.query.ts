import { IsEmail, IsIn, IsOptional } from 'class-validator';
import { ROLES, type Role } from '@app/auth';
import { PaginationQueryDto } from '@app/core';

export class ListUsersQuery extends PaginationQueryDto {
  @IsOptional()
  @IsIn(ROLES)
  role?: Role;

  @IsOptional()
  @IsEmail({}, { message: 'must be an email address' })
  email?: string;
}
