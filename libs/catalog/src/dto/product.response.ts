import { ApiProperty, ApiSchema } from '@nestjs/swagger';
import type { ProductRow } from '../catalog.schema';
import { CURRENCY_PATTERN, SKU_PATTERN } from './create-product.dto';

@ApiSchema({ name: 'ProductRating' })
export class ProductRatingResponse {
  @ApiProperty({
    type: 'number',
    format: 'double',
    minimum: 1,
    maximum: 5,
    nullable: true,
    description: 'Mean of the ratings, rounded to two decimals; null while there is no review',
    example: 4.5,
  })
  average: number | null;

  @ApiProperty({ type: 'integer', format: 'int32', minimum: 0, maximum: 2_147_483_647, example: 12 })
  count: number;
}

@ApiSchema({ name: 'Product' })
export class ProductResponse {
  @ApiProperty({ type: 'string', format: 'uuid', maxLength: 36, example: '4b3c2d1e-0f9a-4b8c-9d7e-6f5a4b3c2d1e' })
  id: string;

  @ApiProperty({ type: 'string', maxLength: 64, pattern: SKU_PATTERN.source, example: 'MUG-001' })
  sku: string;

  @ApiProperty({ type: 'string', maxLength: 200, example: 'Enamel mug' })
  name: string;

  @ApiProperty({
    type: 'string',
    maxLength: 2000,
    description: 'Empty when none was given',
    example: 'Camp mug, 350 ml',
  })
  description: string;

  @ApiProperty({
    type: 'integer',
    format: 'int32',
    minimum: 0,
    maximum: 100_000_000,
    description: 'Minor units of `currency`',
    example: 1299,
  })
  priceCents: number;

  @ApiProperty({
    type: 'string',
    maxLength: 3,
    pattern: CURRENCY_PATTERN.source,
    description: 'ISO 4217 code',
    example: 'EUR',
  })
  currency: string;

  // Set up to 10,000,000 by an admin, but a cancelled order gives its units back on top of what is there.
  @ApiProperty({ type: 'integer', format: 'int32', minimum: 0, maximum: 2_147_483_647, example: 100 })
  stock: number;

  @ApiProperty({ type: 'boolean', example: true })
  active: boolean;

  @ApiProperty({
    type: ProductRatingResponse,
    description:
      "The reviews' rating, updated shortly after a review is posted, edited or deleted (within a second; delivered by events)",
  })
  rating: ProductRatingResponse;

  @ApiProperty({ type: 'string', format: 'date-time', maxLength: 24, example: '2025-01-15T09:30:00.000Z' })
  createdAt: string;

  @ApiProperty({ type: 'string', format: 'date-time', maxLength: 24, example: '2025-01-15T09:30:00.000Z' })
  updatedAt: string;

  @ApiProperty({
    type: 'integer',
    format: 'int32',
    minimum: 1,
    maximum: 2_147_483_647,
    description: 'Incremented by every change; the ETag is `"v<version>"`',
    example: 3,
  })
  version: number;

  static from(row: ProductRow): ProductResponse {
    return Object.assign(new ProductResponse(), {
      id: row.id,
      sku: row.sku,
      name: row.name,
      description: row.description,
      priceCents: row.priceCents,
      currency: row.currency,
      stock: row.stock,
      active: row.active,
      rating: {
        average: row.ratingCount === 0 ? null : Math.round((row.ratingSum / row.ratingCount) * 100) / 100,
        count: row.ratingCount,
      },
      createdAt: row.createdAt.toISOString(),
      updatedAt: row.updatedAt.toISOString(),
      version: row.version,
    });
  }
}
