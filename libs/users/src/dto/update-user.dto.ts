import { ApiProperty, ApiSchema } from '@nestjs/swagger';
import { IsBoolean, IsIn } from 'class-validator';
import { ROLES, type Role } from '@app/auth';
import { Omittable } from '@app/core';

@ApiSchema({ name: 'UpdateUserRequest' })
export class UpdateUserDto {
  @ApiProperty({ type: 'string', required: false, enum: ROLES, example: 'admin' })
  @Omittable()
  @IsIn(ROLES)
  role?: Role;

  @ApiProperty({ type: 'boolean', required: false, description: "Disabling ends the account's sessions" })
  @Omittable()
  @IsBoolean()
  disabled?: boolean;
}
