import { Transform } from 'class-transformer';
import { IsString, Length, ValidateIf } from 'class-validator';
import { IsAcceptablePassword } from '@app/auth';
import { Omittable } from '@app/core';

export class UpdateMeDto {
  @Omittable()
  @Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value))
  @IsString()
  @Length(1, 100)
  name?: string;

  @Omittable()
  @IsAcceptablePassword()
  password?: string;

  /** Required to change the password. */
  @ValidateIf((dto: UpdateMeDto) => dto.password !== undefined || dto.currentPassword !== undefined)
  @IsString()
  @Length(1, 1024)
  currentPassword?: string;
}
