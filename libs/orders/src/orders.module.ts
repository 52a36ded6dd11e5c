import { Module } from '@nestjs/common';
import { CatalogModule } from '@app/catalog';
import { OrderEventsController } from './order-events.controller';
import { OrderEventsService } from './order-events.service';
import { OrderHistory } from './order-history';
import { OrdersController } from './orders.controller';
import { OrdersRepository } from './orders.repository';
import { OrdersService } from './orders.service';

/** Orders, built on the catalog's exported `CatalogStock`. Other features use `OrderHistory` only. */
@Module({
  imports: [CatalogModule],
  // The event stream's route first: `GET /v1/orders/events` is not an order id.
  controllers: [OrderEventsController, OrdersController],
  providers: [OrdersRepository, OrdersService, OrderHistory, OrderEventsService],
  exports: [OrderHistory],
})
export class OrdersModule {}
