import { Global, Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { EventBus } from './event-bus';
import { EventDispatcher } from './event-dispatcher';
import { EventInbox } from './event-inbox';
import { EventSubscriptions } from './event-subscriptions';
import { EventsMetrics } from './events.metrics';
import { LiveEvents } from './live-events';
import { OutboxRelay } from './outbox-relay';
import { OutboxRepository } from './outbox.repository';

/**
 * Domain events for the whole app (imported once, by the app module): `EventBus` to publish in a transaction,
 * `@HandlesEvent` to subscribe, `EventInbox` for handlers that must apply an event once, `LiveEvents` for pushing committed events to clients.
 */
@Global()
@Module({
  imports: [DiscoveryModule],
  providers: [
    OutboxRepository,
    EventSubscriptions,
    EventsMetrics,
    EventInbox,
    EventDispatcher,
    OutboxRelay,
    LiveEvents,
    EventBus,
  ],
  exports: [EventBus, EventInbox, EventDispatcher, OutboxRelay, LiveEvents],
})
export class EventsModule {}
