import { Module } from '@nestjs/common';
import { CatalogModule } from '@app/catalog';
import { OrderHistory } from './order-history';
import { OrdersController } from './orders.controller';
import { OrdersRepository } from './orders.repository';
import { OrdersService } from './orders.service';

/** Orders, built on the catalog's exported `CatalogStock`. Other features use `OrderHistory` only. */
@Module({
  imports: [CatalogModule],
  controllers: [OrdersController],
  providers: [OrdersRepository, OrdersService, OrderHistory],
  exports: [OrderHistory],
})
export class OrdersModule {}
