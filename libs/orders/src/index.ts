export { OrdersModule } from './orders.module';
export { OrderHistory } from './order-history';
export { OrderResponse } from './dto/order.response';
export { canTransition, ORDER_STATUSES, type OrderStatus } from './order-status';
export { OrderReader, type InvoiceData, type InvoiceLine, type OrderStanding } from './order-reader';
