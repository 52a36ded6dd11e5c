import { Transform } from 'class-transformer';
import { IsBoolean, IsOptional, IsString, Length } from 'class-validator';
import { PaginationQueryDto } from '@app/core';

export class ListProductsQuery extends PaginationQueryDto {
  /** `true` / `false` in the query string; anything else is a 400. */
  @IsOptional()
  @Transform(({ value }: { value: unknown }) => (value === 'true' ? true : value === 'false' ? false : value))
  @IsBoolean()
  active?: boolean;

  @IsOptional()
  @IsString()
  @Length(1, 100)
  q?: string;
}
