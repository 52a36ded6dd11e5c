import { ApiProperty, ApiSchema } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsString, Length } from 'class-validator';
import { Omittable } from '@app/core';

/** Only the fields to change; the owner never changes. */
@ApiSchema({ name: 'Update__Singular__Request' })
export class Update__Singular__Dto {
  @ApiProperty({
    type: 'string',
    required: false,
    minLength: 1,
    maxLength: 200,
    description: 'Trimmed',
    example: 'My renamed __singularTitle__',
  })
  @Omittable()
  @Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value))
  @IsString()
  @Length(1, 200)
  name?: string;

  @ApiProperty({ type: 'string', required: false, minLength: 0, maxLength: 2000, example: 'Changed my mind' })
  @Omittable()
  @IsString()
  @Length(0, 2000)
  note?: string;
}
