import { Injectable, type OnModuleInit } from '@nestjs/common';
import { DiscoveryService, MetadataScanner, Reflector } from '@nestjs/core';
import { eventKey, type EventType } from './domain-event';
import { type EventHandler, HANDLES_EVENT, type HandlesEventMetadata } from './handles-event.decorator';

export interface Subscription {
  subscriber: string;
  type: EventType<object>;
  handle: EventHandler<object>;
}

/** The in-process subscribers, found once at startup from `@HandlesEvent` on any provider's methods. */
@Injectable()
export class EventSubscriptions implements OnModuleInit {
  private readonly byEvent = new Map<string, Subscription[]>();
  private readonly bySubscriber = new Map<string, Subscription>();

  constructor(
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    private readonly reflector: Reflector,
  ) {}

  onModuleInit(): void {
    for (const wrapper of this.discovery.getProviders()) {
      const instance = wrapper.instance as Record<string, unknown> | undefined;
      if (!instance || typeof instance !== 'object' || !wrapper.isDependencyTreeStatic()) continue;
      const prototype = Object.getPrototypeOf(instance) as object;
      for (const method of this.scanner.getAllMethodNames(prototype)) {
        const handler = instance[method] as EventHandler<object>;
        const metadata = this.reflector.get<HandlesEventMetadata | undefined>(HANDLES_EVENT, handler);
        if (!metadata) continue;
        this.add({
          subscriber: metadata.subscriber ?? `${instance.constructor.name}.${method}`,
          type: metadata.type,
          handle: handler.bind(instance),
        });
      }
    }
  }

  /** The names of the subscribers of an event (what a publish writes pending deliveries for). */
  subscribersOf(type: EventType<object>): readonly string[] {
    return (this.byEvent.get(eventKey(type)) ?? []).map((s) => s.subscriber);
  }

  find(subscriber: string): Subscription | undefined {
    return this.bySubscriber.get(subscriber);
  }

  all(): readonly Subscription[] {
    return [...this.bySubscriber.values()];
  }

  private add(subscription: Subscription): void {
    if (this.bySubscriber.has(subscription.subscriber)) {
      throw new Error(`Two event handlers are named ${subscription.subscriber}: give one { subscriber: '…' }`);
    }
    this.bySubscriber.set(subscription.subscriber, subscription);
    const key = eventKey(subscription.type);
    this.byEvent.set(key, [...(this.byEvent.get(key) ?? []), subscription]);
  }
}
