import { ApiProperty, ApiSchema } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsInt,
  IsObject,
  IsUUID,
  Max,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';
import { lowerCaseUuid, UniqueBy } from '@app/core';

@ApiSchema({ name: 'OrderLineRequest' })
export class OrderLineDto {
  @ApiProperty({ type: 'string', format: 'uuid', maxLength: 36, example: '4b3c2d1e-0f9a-4b8c-9d7e-6f5a4b3c2d1e' })
  @Transform(lowerCaseUuid)
  @IsUUID()
  @MaxLength(36) // a UUID's length: stated for the document's maxLength, never refuses more than IsUUID
  productId: string;

  @ApiProperty({ type: 'integer', format: 'int32', minimum: 1, maximum: 1000, example: 2 })
  @IsInt()
  @Min(1)
  @Max(1000)
  quantity: number;
}

/** Only what to buy: prices, names and totals come from the catalog, never from the client. */
@ApiSchema({ name: 'CreateOrderRequest' })
export class CreateOrderDto {
  @ApiProperty({
    type: () => [OrderLineDto],
    minItems: 1,
    maxItems: 50,
    description: 'One line per product (a product listed twice is a 400)',
  })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(50)
  @UniqueBy((line: OrderLineDto) => line.productId, { message: 'must not list a product twice' })
  // ValidateNested alone lets an item that is itself an array (`[[…]]`) through without checking its lines.
  @IsObject({ each: true, message: 'each item must be an object' })
  @ValidateNested({ each: true })
  @Type(() => OrderLineDto)
  items: OrderLineDto[];
}
