import { ApiProperty, ApiSchema } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsInt, IsString, Length, Max, Min } from 'class-validator';
import { Omittable, OmittableOrNull } from '@app/core';
import { COMMENT_MAX_LENGTH, trimComment } from './create-review.dto';

/** Only the fields to change; `comment: null` removes the comment. */
@ApiSchema({ name: 'UpdateReviewRequest' })
export class UpdateReviewDto {
  @ApiProperty({ type: 'integer', format: 'int32', required: false, minimum: 1, maximum: 5, example: 4 })
  @Omittable()
  @IsInt()
  @Min(1)
  @Max(5)
  rating?: number;

  @ApiProperty({
    type: 'string',
    required: false,
    nullable: true,
    minLength: 1,
    maxLength: COMMENT_MAX_LENGTH,
    description: 'Trimmed; `null` removes the comment',
    example: 'Still hot after an hour.',
  })
  @OmittableOrNull()
  @Transform(trimComment)
  @IsString()
  @Length(1, COMMENT_MAX_LENGTH)
  comment?: string | null;
}
