import { ApiProperty } from '@nestjs/swagger';
import { IsEmail, IsIn, MaxLength } from 'class-validator';
import { ROLES, type Role } from '@app/auth';
import { PaginationQueryDto, Omittable } from '@app/core';

export class ListUsersQuery extends PaginationQueryDto {
  @ApiProperty({ type: 'string', required: false, enum: ROLES, description: 'Only accounts with this role' })
  @Omittable()
  @IsIn(ROLES)
  role?: Role;

  @ApiProperty({
    type: 'string',
    required: false,
    format: 'email',
    maxLength: 254,
    description: 'Only the account with this email',
  })
  @Omittable()
  @IsEmail({}, { message: 'must be an email address' })
  @MaxLength(254) // IsEmail's own limit (as on RegisterDto): stated for the document's maxLength
  email?: string;
}
