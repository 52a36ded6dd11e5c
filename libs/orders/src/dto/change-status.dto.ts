import { ApiProperty, ApiSchema } from '@nestjs/swagger';
import { IsIn } from 'class-validator';
import { ORDER_STATUSES, type OrderStatus } from '../order-status';

@ApiSchema({ name: 'ChangeOrderStatusRequest' })
export class ChangeStatusDto {
  @ApiProperty({
    type: 'string',
    enum: ORDER_STATUSES,
    description: 'pending → paid | cancelled; paid → shipped | cancelled; shipped → delivered (409 otherwise)',
    example: 'paid',
  })
  @IsIn(ORDER_STATUSES)
  status: OrderStatus;
}
