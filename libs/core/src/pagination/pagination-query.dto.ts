import { Transform } from 'class-transformer';
import { Omittable } from '../validation/omittable.decorator';
import { IsInt, IsString, Max, MaxLength, Min } from 'class-validator';
import { ApiProperty } from '@nestjs/swagger';

export const DEFAULT_PAGE_LIMIT = 20;
export const MAX_PAGE_LIMIT = 100;
export const MAX_CURSOR_LENGTH = 512;

/**
 * Query strings are strings: only a plain decimal digit string becomes a number. Anything else ('abc', '1.5',
 * '', ' 5', a repeated parameter) is left as it is, so validation rejects it with a 400.
 */
const toLimit = ({ value }: { value: unknown }): unknown =>
  typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value;

/**
 * `?limit=&cursor=` for keyset-paginated lists (see docs/api-conventions.md, Pagination). Feature list queries
 * extend it to add their filters:
 * `class ListOrdersQueryDto extends PaginationQueryDto { @Omittable() @IsIn(...) status?: ... }`.
 * The cursor is only checked for shape here; `CursorCodec.decode` checks that it is authentic and in scope.
 */
export class PaginationQueryDto {
  @ApiProperty({
    type: 'string',
    required: false,
    maxLength: MAX_CURSOR_LENGTH,
    description: "The previous page's `nextCursor` (opaque; a forged or foreign one is a 400)",
  })
  @Omittable()
  @IsString()
  @MaxLength(MAX_CURSOR_LENGTH)
  cursor?: string;

  @ApiProperty({
    type: 'integer',
    format: 'int32',
    required: false,
    minimum: 1,
    maximum: MAX_PAGE_LIMIT,
    default: DEFAULT_PAGE_LIMIT,
    description: 'Items per page',
  })
  @Omittable()
  @Transform(toLimit)
  @IsInt()
  @Min(1)
  @Max(MAX_PAGE_LIMIT)
  limit?: number = DEFAULT_PAGE_LIMIT;
}
