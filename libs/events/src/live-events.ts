import { Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import type { Msg } from '@nats-io/transport-node';
import { AppConfig } from '@app/core';
import { NatsConnection } from '@app/nats';
import type { DomainEvent } from './domain-event';
import { domainRouteOf } from './outbox-relay';
import { OutboxRepository, type ReplayFilter } from './outbox.repository';

export type LiveListener = (event: DomainEvent) => void;

/**
 * Committed events as they happen, for pushing to clients (server-sent events): at most once and fast, with the
 * outbox as the record to catch up from. With NATS_URL set, every replica hears every event through a plain NATS
 * subscription to the domain's subjects (`orders.>`), whichever replica recorded it: the relay publishes it there
 * right after the commit. Without NATS (the embedded default) this process's own commits are all there is, and the
 * event bus hands them over after each commit. Listeners that missed something (they connected late, or NATS was
 * cut off: see {@link onResync}) read it back with {@link replay}.
 */
@Injectable()
export class LiveEvents implements OnApplicationShutdown {
  private readonly logger = new Logger('LiveEvents');
  private readonly listeners = new Map<string, Set<LiveListener>>();
  private readonly unsubscribe = new Map<string, () => void>();

  constructor(
    private readonly nats: NatsConnection,
    private readonly outbox: OutboxRepository,
    private readonly config: AppConfig,
  ) {}

  /** Calls `listener` with each committed event of `aggregateType` from now on. Returns the removal function. */
  listen(aggregateType: string, listener: LiveListener): () => void {
    let set = this.listeners.get(aggregateType);
    if (!set) {
      set = new Set();
      this.listeners.set(aggregateType, set);
      if (this.nats.configured) this.subscribe(aggregateType);
    }
    set.add(listener);
    return () => {
      set.delete(listener);
      if (set.size === 0 && this.listeners.get(aggregateType) === set) {
        this.listeners.delete(aggregateType);
        this.unsubscribe.get(aggregateType)?.();
        this.unsubscribe.delete(aggregateType);
      }
    };
  }

  /**
   * Called after NATS comes back from a cut: events published meanwhile never reached this process, so listeners
   * replay from the last event they saw. Never called without NATS. Returns the removal function.
   */
  onResync(listener: () => void): () => void {
    return this.nats.onReconnect(listener);
  }

  /** The committed events after `afterId` that match `filter`, oldest first; `undefined` when `afterId` is unknown. */
  replay(afterId: string, filter: ReplayFilter, limit: number): Promise<DomainEvent[] | undefined> {
    return this.outbox.eventsAfter(afterId, filter, limit) as Promise<DomainEvent[] | undefined>;
  }

  /** The event bus, after a commit, when there is no NATS to carry events (in NATS's case the subscription does). */
  committed(event: DomainEvent): void {
    if (!this.nats.configured) this.emit(event);
  }

  onApplicationShutdown(): void {
    for (const unsubscribe of this.unsubscribe.values()) unsubscribe();
    this.unsubscribe.clear();
    this.listeners.clear();
  }

  private subscribe(aggregateType: string): void {
    const wildcard = domainRouteOf(aggregateType, this.config.nats.subjectPrefix).domainSubjects;
    this.unsubscribe.set(
      aggregateType,
      this.nats.subscribe(wildcard, (message) => {
        const event = parseRelayed(message);
        if (event?.aggregateType === aggregateType) this.emit(event);
        else if (!event) this.logger.warn(`ignored a message on ${message.subject} that is not a relayed event`);
      }),
    );
  }

  private emit(event: DomainEvent): void {
    const set = this.listeners.get(event.aggregateType);
    if (!set) return;
    for (const listener of set) {
      try {
        listener(event);
      } catch (error) {
        this.logger.warn({ err: error, eventId: event.id }, 'A live event listener failed');
      }
    }
  }
}

/** The relay's message body (see OutboxRelay.publish) as an event; `undefined` for anything else. */
function parseRelayed(message: Msg): DomainEvent | undefined {
  try {
    const body = message.json<Record<string, unknown>>();
    const { id, name, version, aggregateType, aggregateId, occurredAt, payload } = body;
    if (
      typeof id !== 'string' ||
      typeof name !== 'string' ||
      typeof version !== 'number' ||
      typeof aggregateType !== 'string' ||
      typeof aggregateId !== 'string' ||
      typeof occurredAt !== 'string' ||
      typeof payload !== 'object' ||
      payload === null
    ) {
      return undefined;
    }
    return { id, name, version, aggregateType, aggregateId, occurredAt: new Date(occurredAt), payload };
  } catch {
    return undefined;
  }
}
