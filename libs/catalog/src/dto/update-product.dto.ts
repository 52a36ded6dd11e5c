import { Transform } from 'class-transformer';
import { IsBoolean, IsInt, IsString, Length, Max, Min } from 'class-validator';
import { Omittable } from '@app/core';

export class UpdateProductDto {
  @Omittable()
  @Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value))
  @IsString()
  @Length(1, 200)
  name?: string;

  @Omittable()
  @IsString()
  @Length(0, 2000)
  description?: string;

  @Omittable()
  @IsInt()
  @Min(0)
  @Max(100_000_000)
  priceCents?: number;

  @Omittable()
  @IsInt()
  @Min(0)
  @Max(10_000_000)
  stock?: number;

  @Omittable()
  @IsBoolean()
  active?: boolean;
}
