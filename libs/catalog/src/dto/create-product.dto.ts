import { Transform } from 'class-transformer';
import { IsBoolean, IsInt, IsString, Length, Matches, Max, Min } from 'class-validator';
import { Omittable } from '@app/core';

const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);

export class CreateProductDto {
  @Transform(trim)
  @Matches(/^[A-Z0-9][A-Z0-9-]{1,63}$/, { message: 'must be 2-64 upper-case letters, digits or dashes' })
  sku: string;

  @Transform(trim)
  @IsString()
  @Length(1, 200)
  name: string;

  @Omittable()
  @IsString()
  @Length(0, 2000)
  description?: string;

  @IsInt()
  @Min(0)
  @Max(100_000_000)
  priceCents: number;

  @Matches(/^[A-Z]{3}$/, { message: 'must be an ISO 4217 code such as EUR' })
  currency: string;

  @IsInt()
  @Min(0)
  @Max(10_000_000)
  stock: number;

  @Omittable()
  @IsBoolean()
  active?: boolean;
}
