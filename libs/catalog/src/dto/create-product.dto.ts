import { ApiProperty, ApiSchema } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsInt, IsString, Length, Matches, Max, MaxLength, Min } from 'class-validator';
import { Omittable } from '@app/core';

const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);

/** The SKU rule, shared by the validator and the document. */
export const SKU_PATTERN = /^[A-Z0-9][A-Z0-9-]{1,63}$/;
export const CURRENCY_PATTERN = /^[A-Z]{3}$/;

@ApiSchema({ name: 'CreateProductRequest' })
export class CreateProductDto {
  @ApiProperty({
    type: 'string',
    pattern: SKU_PATTERN.source,
    maxLength: 64,
    description: '2–64 upper-case letters, digits or dashes; unique (409 otherwise)',
    example: 'MUG-001',
  })
  @Transform(trim)
  @Matches(SKU_PATTERN, { message: 'must be 2-64 upper-case letters, digits or dashes' })
  @MaxLength(64) // what the pattern allows: stated for the document's maxLength, never refuses more
  sku: string;

  @ApiProperty({ type: 'string', minLength: 1, maxLength: 200, description: 'Trimmed', example: 'Enamel mug' })
  @Transform(trim)
  @IsString()
  @Length(1, 200)
  name: string;

  @ApiProperty({ type: 'string', required: false, minLength: 0, maxLength: 2000, example: 'Camp mug, 350 ml' })
  @Omittable()
  @IsString()
  @Length(0, 2000)
  description?: string;

  @ApiProperty({
    type: 'integer',
    format: 'int32',
    minimum: 0,
    maximum: 100_000_000,
    description: 'Minor units of `currency`',
    example: 1299,
  })
  @IsInt()
  @Min(0)
  @Max(100_000_000)
  priceCents: number;

  @ApiProperty({
    type: 'string',
    pattern: CURRENCY_PATTERN.source,
    maxLength: 3,
    description: 'ISO 4217 code',
    example: 'EUR',
  })
  @Matches(CURRENCY_PATTERN, { message: 'must be an ISO 4217 code such as EUR' })
  @MaxLength(3) // what the pattern allows: stated for the document's maxLength, never refuses more
  currency: string;

  @ApiProperty({ type: 'integer', format: 'int32', minimum: 0, maximum: 10_000_000, example: 100 })
  @IsInt()
  @Min(0)
  @Max(10_000_000)
  stock: number;

  @ApiProperty({ type: 'boolean', required: false, description: 'Orderable (default true)', example: true })
  @Omittable()
  @IsBoolean()
  active?: boolean;
}
