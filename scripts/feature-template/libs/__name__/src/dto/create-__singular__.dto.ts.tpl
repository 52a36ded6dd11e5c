import { ApiProperty, ApiSchema } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsString, Length } from 'class-validator';
import { Omittable } from '@app/core';

const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);

/** What the owner gives; the owner is the caller, never a field. */
@ApiSchema({ name: 'Create__Singular__Request' })
export class Create__Singular__Dto {
  @ApiProperty({ type: 'string', minLength: 1, maxLength: 200, description: 'Trimmed', example: 'My first __singularTitle__' })
  @Transform(trim)
  @IsString()
  @Length(1, 200)
  name: string;

  @ApiProperty({
    type: 'string',
    required: false,
    minLength: 0,
    maxLength: 2000,
    description: 'Free text (default empty)',
    example: 'Anything worth remembering',
  })
  @Omittable()
  @IsString()
  @Length(0, 2000)
  note?: string;
}
