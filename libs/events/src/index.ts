export {
  defineEvent,
  definedEvents,
  type DomainEvent,
  eventKey,
  type EventType,
  InvalidEventPayloadError,
  validatePayload,
} from './domain-event';
export { EventBus } from './event-bus';
export { EventDispatcher } from './event-dispatcher';
export { EventInbox } from './event-inbox';
export { EventInboxModule } from './event-inbox.module';
export { type DomainRoute, domainRouteOf, OutboxRelay, routeOf } from './outbox-relay';
export { type LiveEvent, LiveEvents, type LiveListener } from './live-events';
export type { ReplayFilter } from './outbox.repository';
export {
  type EventDelivery,
  type EventHandler,
  HandlesEvent,
  type HandlesEventOptions,
} from './handles-event.decorator';
export { EventsModule } from './events.module';
