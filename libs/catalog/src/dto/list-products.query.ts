import { ApiProperty } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsString, Length } from 'class-validator';
import { PaginationQueryDto, Omittable } from '@app/core';

export class ListProductsQuery extends PaginationQueryDto {
  /** `true` / `false` in the query string; anything else is a 400. */
  @ApiProperty({ type: 'boolean', required: false, description: 'Only active (`true`) or inactive (`false`) products' })
  @Omittable()
  @Transform(({ value }: { value: unknown }) => (value === 'true' ? true : value === 'false' ? false : value))
  @IsBoolean()
  active?: boolean;

  @ApiProperty({
    type: 'string',
    required: false,
    minLength: 1,
    maxLength: 100,
    description: 'Search in names and SKUs',
  })
  @Omittable()
  @IsString()
  @Length(1, 100)
  q?: string;
}
