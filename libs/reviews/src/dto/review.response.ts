import { ApiProperty, ApiSchema } from '@nestjs/swagger';
import type { ReviewRow } from '../reviews.schema';
import { COMMENT_MAX_LENGTH } from './create-review.dto';

const uuid = { type: 'string', format: 'uuid', maxLength: 36 } as const;
const instant = { type: 'string', format: 'date-time', maxLength: 24, example: '2025-01-15T09:30:00.000Z' } as const;

@ApiSchema({ name: 'Review' })
export class ReviewResponse {
  @ApiProperty({ ...uuid, example: 'c5a1d2f4-e3a9-4b7c-8d5e-4f3a2b1c0b8e' })
  id: string;

  @ApiProperty({ ...uuid, example: '4b3c2d1e-0f9a-4b8c-9d7e-6f5a4b3c2d1e' })
  productId: string;

  @ApiProperty({ ...uuid, description: 'The author', example: '9d7e6f5a-4b3c-4d1e-8f9a-0b8c4b3c2d1e' })
  userId: string;

  @ApiProperty({ type: 'integer', format: 'int32', minimum: 1, maximum: 5, example: 5 })
  rating: number;

  @ApiProperty({
    type: 'string',
    nullable: true,
    maxLength: COMMENT_MAX_LENGTH,
    description: 'Null when none was given',
    example: 'Keeps coffee hot for an hour.',
  })
  comment: string | null;

  @ApiProperty(instant)
  createdAt: string;

  @ApiProperty(instant)
  updatedAt: string;

  @ApiProperty({
    type: 'integer',
    format: 'int32',
    minimum: 1,
    maximum: 2_147_483_647,
    description: 'Incremented by every change; the ETag is `"v<version>"`',
    example: 1,
  })
  version: number;

  static from(row: ReviewRow): ReviewResponse {
    return Object.assign(new ReviewResponse(), {
      id: row.id,
      productId: row.productId,
      userId: row.userId,
      rating: row.rating,
      comment: row.comment,
      createdAt: row.createdAt.toISOString(),
      updatedAt: row.updatedAt.toISOString(),
      version: row.version,
    });
  }
}
