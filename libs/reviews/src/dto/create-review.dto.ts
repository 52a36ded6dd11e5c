import { ApiProperty, ApiSchema } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsInt, IsString, Length, Max, Min } from 'class-validator';
import { Omittable } from '@app/core';

export const COMMENT_MAX_LENGTH = 2000;

export const trimComment = ({ value }: { value: unknown }): unknown =>
  typeof value === 'string' ? value.trim() : value;

@ApiSchema({ name: 'CreateReviewRequest' })
export class CreateReviewDto {
  @ApiProperty({ type: 'integer', format: 'int32', minimum: 1, maximum: 5, example: 5 })
  @IsInt()
  @Min(1)
  @Max(5)
  rating: number;

  @ApiProperty({
    type: 'string',
    required: false,
    minLength: 1,
    maxLength: COMMENT_MAX_LENGTH,
    description: 'Trimmed',
    example: 'Keeps coffee hot for an hour.',
  })
  @Omittable()
  @Transform(trimComment)
  @IsString()
  @Length(1, COMMENT_MAX_LENGTH)
  comment?: string;
}
