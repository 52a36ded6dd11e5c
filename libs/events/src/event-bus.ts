import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { TransactionHost } from '@app/database';
import { type DomainEvent, eventKey, type EventType, validatePayload } from './domain-event';
import { EventDispatcher } from './event-dispatcher';
import { EventSubscriptions } from './event-subscriptions';
import { EventsMetrics } from './events.metrics';
import { LiveEvents } from './live-events';
import { OutboxRelay } from './outbox-relay';
import { OutboxRepository } from './outbox.repository';

/**
 * Publishes domain events through the transactional outbox. `publish` must be called inside the transaction that
 * makes the change (`TransactionHost.withTransaction`): the event is recorded in it, so it exists if and only if the
 * change committed. Subscribers in this process receive it after the commit (see `EventDispatcher`).
 */
@Injectable()
export class EventBus {
  constructor(
    private readonly txHost: TransactionHost,
    private readonly outbox: OutboxRepository,
    private readonly subscriptions: EventSubscriptions,
    private readonly dispatcher: EventDispatcher,
    private readonly metrics: EventsMetrics,
    private readonly relay: OutboxRelay,
    private readonly live: LiveEvents,
  ) {}

  /** Validates the payload against its event's schema (a bug if it fails) and records the event. */
  async publish<P extends object>(type: EventType<P>, payload: NoInfer<P>): Promise<DomainEvent<P>> {
    const key = eventKey(type);
    if (!this.txHost.isTransactionActive()) {
      throw new Error(`${key} must be published inside the transaction that makes the change`);
    }
    const clean = validatePayload(type, payload);
    const event: DomainEvent<P> = {
      id: randomUUID(),
      name: type.name,
      version: type.version,
      aggregateType: type.aggregateType,
      aggregateId: type.aggregateIdOf(clean),
      occurredAt: new Date(),
      payload: clean,
    };
    const subscribers = this.subscriptions.subscribersOf(type as unknown as EventType<object>);
    await this.outbox.record(
      {
        id: event.id,
        name: event.name,
        version: event.version,
        aggregateType: event.aggregateType,
        aggregateId: event.aggregateId,
        payload: JSON.stringify(clean),
        occurredAt: event.occurredAt,
        awaitRelay: this.relay.enabled,
      },
      subscribers,
    );
    await this.txHost.afterCommit(() => {
      this.metrics.published.inc({ event: key });
      if (subscribers.length > 0) this.dispatcher.poke();
      this.relay.poke();
      this.live.committed();
    });
    return event;
  }
}
