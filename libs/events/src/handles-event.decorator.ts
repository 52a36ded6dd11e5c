import { SetMetadata } from '@nestjs/common';
import type { DomainEvent, EventType } from './domain-event';

export const HANDLES_EVENT = Symbol('handles-event');

export interface HandlesEventOptions {
  /**
   * The subscriber's stable name, stored with each pending delivery (default `ClassName.methodName`). Renaming it
   * orphans the deliveries still pending under the old name: set it explicitly before renaming the method.
   */
  subscriber?: string;
}

export interface HandlesEventMetadata {
  type: EventType<object>;
  subscriber?: string;
}

/** What a handler receives besides the event. */
export interface EventDelivery {
  /** The subscriber's name. */
  readonly subscriber: string;
  /** 1 for the first attempt. */
  readonly attempt: number;
  /**
   * Runs `work` in a transaction that also records this event as applied by this subscriber, unless it already was:
   * a redelivered event (at least once) then changes nothing twice. Returns whether `work` ran.
   */
  once(work: () => Promise<unknown>): Promise<boolean>;
}

export type EventHandler<P extends object> = (event: DomainEvent<P>, delivery: EventDelivery) => Promise<unknown>;

/**
 * Subscribes a provider's method to an event, delivered in this process after the publishing transaction commits:
 * at least once, in order per aggregate, retried with backoff when it throws (see `EventDispatcher`).
 *
 * ```ts
 * @HandlesEvent(ReviewPosted)
 * onReviewPosted(event: DomainEvent<ReviewPostedPayload>, delivery: EventDelivery) {
 *   return delivery.once(() => this.ratings.add(event.payload.productId, event.payload.rating));
 * }
 * ```
 */
export const HandlesEvent = <P extends object>(
  type: EventType<P>,
  options: HandlesEventOptions = {},
): MethodDecorator =>
  SetMetadata<symbol, HandlesEventMetadata>(HANDLES_EVENT, {
    type: type as unknown as EventType<object>,
    subscriber: options.subscriber,
  });
