import { Injectable } from '@nestjs/common';
import { TransactionHost } from '@app/database';
import { OutboxRepository } from './outbox.repository';

/**
 * Makes a handler idempotent by event id: `once(subscriber, eventId, work)` runs `work` in a transaction that also
 * records (subscriber, event id), unless that record exists. The effect and the record commit together, so an
 * event delivered twice (at least once, after a crash) applies once. Handlers get it as `delivery.once(work)`.
 */
@Injectable()
export class EventInbox {
  constructor(
    private readonly txHost: TransactionHost,
    private readonly outbox: OutboxRepository,
  ) {}

  once(subscriber: string, eventId: string, work: () => Promise<unknown>): Promise<boolean> {
    return this.txHost.withTransaction(async () => {
      if (!(await this.outbox.markProcessed(subscriber, eventId))) return false;
      await work();
      return true;
    });
  }
}
