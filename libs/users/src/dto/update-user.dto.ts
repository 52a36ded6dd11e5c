import { IsBoolean, IsIn } from 'class-validator';
import { ROLES, type Role } from '@app/auth';
import { Omittable } from '@app/core';

export class UpdateUserDto {
  @Omittable()
  @IsIn(ROLES)
  role?: Role;

  @Omittable()
  @IsBoolean()
  disabled?: boolean;
}
