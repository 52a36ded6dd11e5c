import { Transform } from 'class-transformer';
import { IsBoolean, IsString, Length } from 'class-validator';
import { PaginationQueryDto, Omittable } from '@app/core';

export class ListProductsQuery extends PaginationQueryDto {
  /** `true` / `false` in the query string; anything else is a 400. */
  @Omittable()
  @Transform(({ value }: { value: unknown }) => (value === 'true' ? true : value === 'false' ? false : value))
  @IsBoolean()
  active?: boolean;

  @Omittable()
  @IsString()
  @Length(1, 100)
  q?: string;
}
