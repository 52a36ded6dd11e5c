import { Injectable } from '@nestjs/common';
import { OrderCancelled, OrderPlaced, OrderStatusChanged } from '@app/contracts';
import type { DomainEvent } from '@app/events';
import { UserDirectory } from '@app/users';
import { Mailer } from '../mail/mailer';
import { WorkerJob } from './worker-job';

interface OrderEventPayload {
  orderId: string;
  userId: string;
  status: string;
  totalCents?: number;
  currency?: string;
}

/** Tells the customer about their order: a confirmation when placed, an update when its status changes or it is cancelled. */
@Injectable()
export class OrderNotificationsJob extends WorkerJob {
  readonly name = 'order-notifications';
  readonly events = [OrderPlaced, OrderStatusChanged, OrderCancelled];

  constructor(
    private readonly directory: UserDirectory,
    private readonly mailer: Mailer,
  ) {
    super();
  }

  async handle(event: DomainEvent): Promise<void> {
    const payload = event.payload as OrderEventPayload;
    const contact = await this.directory.contactOf(payload.userId);
    // Thrown, so retried and then dead-lettered: a user that does not exist (yet) is not a mail to drop silently.
    if (!contact) throw new Error(`No user ${payload.userId} to notify about order ${payload.orderId}`);
    const placed = event.name === OrderPlaced.name;
    const subject = placed
      ? `Order ${payload.orderId} confirmed`
      : payload.status === 'cancelled'
        ? `Order ${payload.orderId} cancelled`
        : `Order ${payload.orderId} is ${payload.status}`;
    const text = placed
      ? `Hello ${contact.name}, we received your order ${payload.orderId} ` +
        `(${((payload.totalCents ?? 0) / 100).toFixed(2)} ${payload.currency ?? ''}).`
      : `Hello ${contact.name}, your order ${payload.orderId} is now ${payload.status}.`;
    await this.mailer.send({
      id: `${this.name}:${event.id}`,
      to: contact,
      subject,
      text,
      meta: {
        kind: placed ? 'confirmation' : 'update',
        eventId: event.id,
        event: event.name,
        orderId: payload.orderId,
      },
    });
  }
}
