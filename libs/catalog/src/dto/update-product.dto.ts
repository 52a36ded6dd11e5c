import { ApiProperty, ApiSchema } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsInt, IsString, Length, Max, Min } from 'class-validator';
import { Omittable } from '@app/core';

/** Only the fields to change; the SKU and the currency never change. */
@ApiSchema({ name: 'UpdateProductRequest' })
export class UpdateProductDto {
  @ApiProperty({
    type: 'string',
    required: false,
    minLength: 1,
    maxLength: 200,
    description: 'Trimmed',
    example: 'Enamel mug, blue',
  })
  @Omittable()
  @Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value))
  @IsString()
  @Length(1, 200)
  name?: string;

  @ApiProperty({ type: 'string', required: false, minLength: 0, maxLength: 2000 })
  @Omittable()
  @IsString()
  @Length(0, 2000)
  description?: string;

  @ApiProperty({
    type: 'integer',
    format: 'int32',
    required: false,
    minimum: 0,
    maximum: 100_000_000,
    example: 1499,
  })
  @Omittable()
  @IsInt()
  @Min(0)
  @Max(100_000_000)
  priceCents?: number;

  @ApiProperty({ type: 'integer', format: 'int32', required: false, minimum: 0, maximum: 10_000_000, example: 80 })
  @Omittable()
  @IsInt()
  @Min(0)
  @Max(10_000_000)
  stock?: number;

  @ApiProperty({ type: 'boolean', required: false, example: false })
  @Omittable()
  @IsBoolean()
  active?: boolean;
}
