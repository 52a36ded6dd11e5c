import { ApiProperty } from '@nestjs/swagger';
import { IsUUID, MaxLength } from 'class-validator';
import { Omittable } from '@app/core';

export class OrderEventsQuery {
  /** Admins only; ignored for others (they only ever see their own orders' events). */
  @ApiProperty({
    type: 'string',
    required: false,
    format: 'uuid',
    maxLength: 36,
    description: "Admins: only this user's orders' events (ignored for other callers, who only ever see their own)",
  })
  @Omittable()
  @IsUUID()
  @MaxLength(36) // a UUID's length: stated for the document's maxLength, never refuses more than IsUUID
  userId?: string;
}
