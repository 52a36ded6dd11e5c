import { Transform, Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsInt,
  IsObject,
  IsUUID,
  Max,
  Min,
  ValidateNested,
} from 'class-validator';
import { lowerCaseUuid, UniqueBy } from '@app/core';

export class OrderLineDto {
  @Transform(lowerCaseUuid)
  @IsUUID()
  productId: string;

  @IsInt()
  @Min(1)
  @Max(1000)
  quantity: number;
}

/** Only what to buy: prices, names and totals come from the catalog, never from the client. */
export class CreateOrderDto {
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
