import { IsBoolean, IsIn, IsOptional } from 'class-validator';
import { ROLES, type Role } from '@app/auth';

export class UpdateUserDto {
  @IsOptional()
  @IsIn(ROLES)
  role?: Role;

  @IsOptional()
  @IsBoolean()
  disabled?: boolean;
}
