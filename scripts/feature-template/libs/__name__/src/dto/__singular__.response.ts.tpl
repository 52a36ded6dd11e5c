import { ApiProperty, ApiSchema } from '@nestjs/swagger';
import type { __Singular__Row } from '../__name__.schema';

@ApiSchema({ name: '__Singular__' })
export class __Singular__Response {
  @ApiProperty({ type: 'string', format: 'uuid', maxLength: 36, example: '4b3c2d1e-0f9a-4b8c-9d7e-6f5a4b3c2d1e' })
  id: string;

  @ApiProperty({
    type: 'string',
    format: 'uuid',
    maxLength: 36,
    description: 'The user who created it',
    example: '7d3f1c9a-2b4e-4f6a-8c1d-9e0f2a3b4c5d',
  })
  ownerId: string;

  @ApiProperty({ type: 'string', maxLength: 200, example: 'My first __singularTitle__' })
  name: string;

  @ApiProperty({
    type: 'string',
    maxLength: 2000,
    description: 'Empty when none was given',
    example: 'Anything worth remembering',
  })
  note: string;

  @ApiProperty({
    type: 'integer',
    format: 'int32',
    minimum: 1,
    maximum: 2_147_483_647,
    description: 'Incremented by every change; the ETag is `"v<version>"`',
    example: 1,
  })
  version: number;

  @ApiProperty({ type: 'string', format: 'date-time', maxLength: 24, example: '2025-01-15T09:30:00.000Z' })
  createdAt: string;

  @ApiProperty({ type: 'string', format: 'date-time', maxLength: 24, example: '2025-01-15T09:30:00.000Z' })
  updatedAt: string;

  /** Only these fields leave the API: never return a row as it is. */
  static from(row: __Singular__Row): __Singular__Response {
    return Object.assign(new __Singular__Response(), {
      id: row.id,
      ownerId: row.ownerId,
      name: row.name,
      note: row.note,
      version: row.version,
      createdAt: row.createdAt.toISOString(),
      updatedAt: row.updatedAt.toISOString(),
    });
  }
}
