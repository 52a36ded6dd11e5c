import { ApiProperty, ApiSchema } from '@nestjs/swagger';

/** The answer while an invoice is being made (202, with `Retry-After`). */
@ApiSchema({ name: 'InvoicePending' })
export class InvoicePendingResponse {
  @ApiProperty({
    type: 'string',
    format: 'uuid',
    maxLength: 36,
    description: 'The order',
    example: '4b3c2d1e-0f9a-4b8c-9d7e-6f5a4b3c2d1e',
  })
  orderId: string;

  @ApiProperty({
    type: 'string',
    enum: ['pending'],
    description: 'The invoice is being made: ask again after `Retry-After` seconds',
    example: 'pending',
  })
  status: 'pending';

  static of(orderId: string): InvoicePendingResponse {
    return Object.assign(new InvoicePendingResponse(), { orderId, status: 'pending' as const });
  }
}
