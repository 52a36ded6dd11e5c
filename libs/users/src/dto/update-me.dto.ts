import { ApiProperty, ApiSchema } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsString, Length, ValidateIf } from 'class-validator';
import { IsAcceptablePassword, PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from '@app/auth';
import { Omittable } from '@app/core';

@ApiSchema({ name: 'UpdateMeRequest' })
export class UpdateMeDto {
  @ApiProperty({
    type: 'string',
    required: false,
    minLength: 1,
    maxLength: 100,
    description: 'Trimmed',
    example: 'Ada King',
  })
  @Omittable()
  @Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value))
  @IsString()
  @Length(1, 100)
  name?: string;

  @ApiProperty({
    type: 'string',
    required: false,
    format: 'password',
    minLength: PASSWORD_MIN_LENGTH,
    maxLength: PASSWORD_MAX_LENGTH,
    description: 'A new password (needs `currentPassword`); ends every other session',
  })
  @Omittable()
  @IsAcceptablePassword()
  password?: string;

  /** Required to change the password. */
  @ApiProperty({
    type: 'string',
    required: false,
    format: 'password',
    minLength: 1,
    maxLength: 1024,
    description: 'Required with `password`; a wrong one is a 400 on `currentPassword`',
  })
  @ValidateIf((dto: UpdateMeDto) => dto.password !== undefined || dto.currentPassword !== undefined)
  @IsString()
  @Length(1, 1024)
  currentPassword?: string;
}
