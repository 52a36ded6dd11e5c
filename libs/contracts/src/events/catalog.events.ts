import { IsBoolean, IsIn, IsInt, IsString, IsUUID, Length, Min } from 'class-validator';
import { defineEvent } from '@app/events';

export class ProductChangedPayload {
  @IsUUID()
  productId!: string;

  @IsIn(['created', 'updated'])
  change!: 'created' | 'updated';

  @IsString()
  @Length(1, 64)
  sku!: string;

  @IsString()
  @Length(1, 200)
  name!: string;

  @IsInt()
  @Min(0)
  priceCents!: number;

  @IsString()
  @Length(3, 3)
  currency!: string;

  @IsBoolean()
  active!: boolean;

  @IsInt()
  @Min(1)
  version!: number;
}

/** An admin created or changed a product (stock taken by orders is not a product change). */
export const ProductChanged = defineEvent({
  name: 'product.changed',
  version: 1,
  aggregateType: 'product',
  payload: ProductChangedPayload,
  aggregateIdOf: (payload) => payload.productId,
  description: 'A product was created or changed by an admin (name, price, stock level set by hand, active).',
});
