import { Global, Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { EventBus } from './event-bus';
import { EventDispatcher } from './event-dispatcher';
import { EventInboxModule } from './event-inbox.module';
import { EventSubscriptions } from './event-subscriptions';
import { EventsMetrics } from './events.metrics';
import { LiveEvents } from './live-events';
import { OutboxRelay } from './outbox-relay';

/**
 * Domain events for the whole app (imported once, by the app module): `EventBus` to publish in a transaction,
 * `@HandlesEvent` to subscribe, `EventInbox` for handlers that must apply an event once, `LiveEvents` for pushing committed events to clients.
 */
@Global()
@Module({
  imports: [DiscoveryModule, EventInboxModule],
  providers: [EventSubscriptions, EventsMetrics, EventDispatcher, OutboxRelay, LiveEvents, EventBus],
  exports: [EventInboxModule, EventBus, EventDispatcher, OutboxRelay, LiveEvents],
})
export class EventsModule {}
