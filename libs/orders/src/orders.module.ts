import { Module } from '@nestjs/common';
import { CatalogModule } from '@app/catalog';
import { OrdersController } from './orders.controller';
import { OrdersRepository } from './orders.repository';
import { OrdersService } from './orders.service';

/** Orders, built on the catalog's exported service. */
@Module({
  imports: [CatalogModule],
  controllers: [OrdersController],
  providers: [OrdersRepository, OrdersService],
})
export class OrdersModule {}
