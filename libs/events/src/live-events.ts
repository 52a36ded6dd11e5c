import { Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { AppConfig } from '@app/core';
import { NatsConnection } from '@app/nats';
import type { DomainEvent } from './domain-event';
import { EventsMetrics } from './events.metrics';
import { domainRouteOf } from './outbox-relay';
import { OutboxRepository, type RecordedEvent, type ReplayFilter } from './outbox.repository';
import { OutboxTail } from './outbox-tail';

/** A committed event with its position in the outbox (the order events are handed out in). */
export type LiveEvent = DomainEvent & { position: number };

export type LiveListener = (event: LiveEvent) => void;

/**
 * How long a hole in the outbox's positions may hold live events back (a transaction open that long, anywhere in the
 * database cluster): beyond it the hole is passed, logged and counted.
 */
const SETTLE_TIMEOUT_MS = 5_000;

/**
 * Committed events as they happen, for pushing to clients (server-sent events), in the order the outbox recorded
 * them and with nothing skipped that may still commit (see {@link OutboxTail}): a listener that has seen an event has
 * seen every event before it, so resuming after the last one it saw misses nothing.
 *
 * The events themselves are read from the outbox, shared by every process. What makes a process read is a commit of
 * its own, a message on the domain's NATS subjects (`orders.>`: the relay publishes each event there right after
 * the commit, so every replica hears of every event at once) and, when nothing else does, a poll every
 * EVENTS_POLL_INTERVAL_MS. A process that missed NATS messages (cut off, or no NATS at all) misses no event: its next
 * read takes up where the last one ended. The outbox is read only while somebody listens.
 */
@Injectable()
export class LiveEvents implements OnApplicationShutdown {
  private readonly logger = new Logger('LiveEvents');
  private readonly listeners = new Map<string, Set<LiveListener>>();
  private readonly unsubscribe = new Map<string, () => void>();
  private readonly tail: OutboxTail;
  private stopResyncing: (() => void) | undefined;

  constructor(
    private readonly nats: NatsConnection,
    private readonly outbox: OutboxRepository,
    private readonly config: AppConfig,
    metrics: EventsMetrics,
  ) {
    this.tail = new OutboxTail(
      outbox,
      (event) => this.emit(event),
      { pollIntervalMs: config.events.pollIntervalMs, settleTimeoutMs: SETTLE_TIMEOUT_MS },
      () => metrics.liveHolesSkipped.inc(),
    );
  }

  /** Calls `listener` with each committed event of `aggregateType` from now on. Returns the removal function. */
  listen(aggregateType: string, listener: LiveListener): () => void {
    let set = this.listeners.get(aggregateType);
    if (!set) {
      set = new Set();
      this.listeners.set(aggregateType, set);
      if (this.nats.configured) this.subscribe(aggregateType);
    }
    set.add(listener);
    this.tail.run();
    return () => {
      set.delete(listener);
      if (set.size === 0 && this.listeners.get(aggregateType) === set) {
        this.listeners.delete(aggregateType);
        this.unsubscribe.get(aggregateType)?.();
        this.unsubscribe.delete(aggregateType);
        if (this.listeners.size === 0) void this.stopTail();
      }
    };
  }

  /**
   * The position every listener has been handed everything up to (waits while the tail starts): a replay up to it,
   * then the live events after it, is the whole sequence once.
   */
  horizon(): Promise<number> {
    return this.tail.horizon();
  }

  /** Where a replay after the event `afterId` starts; `undefined` when it is unknown, purged, or not `filter`'s. */
  positionOf(afterId: string, filter: ReplayFilter): Promise<number | undefined> {
    return this.outbox.positionOf(afterId, filter);
  }

  /** The committed events that match `filter` with a position in (`after`, `upTo`], oldest first. */
  async replay(after: number, upTo: number, filter: ReplayFilter, limit: number): Promise<LiveEvent[]> {
    return (await this.outbox.eventsBetween(after, upTo, filter, limit)).map(liveEventOf);
  }

  /** The event bus, after a commit here: read it now rather than at the next message or poll. */
  committed(): void {
    this.tail.poke();
  }

  async onApplicationShutdown(): Promise<void> {
    for (const unsubscribe of this.unsubscribe.values()) unsubscribe();
    this.unsubscribe.clear();
    this.listeners.clear();
    await this.stopTail();
  }

  private subscribe(aggregateType: string): void {
    const wildcard = domainRouteOf(aggregateType, this.config.nats.subjectPrefix).domainSubjects;
    // The message says "there is news"; the news itself is read from the outbox, in order.
    this.unsubscribe.set(
      aggregateType,
      this.nats.subscribe(wildcard, () => this.tail.poke()),
    );
    // Messages published while this process was cut off never arrive: read what came meanwhile.
    this.stopResyncing ??= this.nats.onReconnect(() => this.tail.poke());
  }

  private async stopTail(): Promise<void> {
    this.stopResyncing?.();
    this.stopResyncing = undefined;
    await this.tail.stop();
  }

  private emit(recorded: RecordedEvent): void {
    const set = this.listeners.get(recorded.aggregateType);
    if (!set) return;
    const event = liveEventOf(recorded);
    for (const listener of set) {
      try {
        listener(event);
      } catch (error) {
        this.logger.warn({ err: error, eventId: event.id }, 'A live event listener failed');
      }
    }
  }
}

/** A recorded event as listeners see it (its payload an object: the outbox stores JSON objects only). */
function liveEventOf(recorded: RecordedEvent): LiveEvent {
  return { ...recorded, payload: recorded.payload as object };
}
