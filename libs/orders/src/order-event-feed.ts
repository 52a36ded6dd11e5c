import { Logger } from '@nestjs/common';
import type { EventStream } from '@app/core';
import type { DomainEvent, LiveEvent, ReplayFilter } from '@app/events';
import type { OrderEventMessage } from './dto/order-event.message';

/** Events read back from the outbox per query; a resume reads pages until it has caught up. */
export const REPLAY_PAGE = 500;
/** A resume further behind than this is told to re-read the orders instead (a `gap`). */
export const REPLAY_MAX = 10_000;
/** Live events held while a replay runs; a stream that falls further behind is ended (the client resumes). */
const MAX_HELD = 10_000;

/** Where a feed's events come from: `LiveEvents`, which hands them out in outbox order, with the outbox behind it. */
export interface FeedSource {
  /** Where a resume after the event `afterId` starts; `undefined` when it is unknown, purged, or not the filter's. */
  positionOf(afterId: string, filter: ReplayFilter): Promise<number | undefined>;
  /** The position every live event up to has been handed out (nothing can appear below it any more). */
  horizon(): Promise<number>;
  /** The events that match `filter` with a position in (`after`, `upTo`], oldest first, at most `limit`. */
  replay(after: number, upTo: number, filter: ReplayFilter, limit: number): Promise<LiveEvent[]>;
}

/**
 * One client's order events: the live events that concern it, after a replay from the outbox when it resumes
 * (`Last-Event-ID`). Events come in outbox order (LiveEvents never hands one out before an earlier one), so a
 * client that saw an event has seen every earlier one of its own, and resuming after it misses nothing. The replay
 * reads up to the live events' horizon; live events that arrive meanwhile wait and go out behind it. Each event goes
 * out once per stream: only events after the last one sent (by position) are sent.
 */
export class OrderEventFeed {
  private readonly logger = new Logger('OrderEventFeed');
  private held: LiveEvent[] | undefined;
  /** The position of the last event sent (or that the client had when it resumed). */
  private sentUpTo = 0;

  constructor(
    private readonly stream: EventStream,
    private readonly source: FeedSource,
    /** Only this user's orders; every order when undefined (an admin's unfiltered stream). */
    private readonly userId: string | undefined,
  ) {}

  private get filter(): ReplayFilter {
    return { aggregateType: 'order', payload: this.userId ? { field: 'userId', value: this.userId } : undefined };
  }

  /** A committed event, live. */
  push(event: LiveEvent): void {
    if (event.aggregateType !== 'order' || !this.concerns(event)) return;
    if (!this.held) {
      this.deliver(event);
    } else if (this.held.push(event) > MAX_HELD) {
      this.stream.close('slow');
    }
  }

  /** Sends what was recorded after `afterId` (the client's `Last-Event-ID`), then the live events held meanwhile. */
  async resume(afterId: string): Promise<void> {
    this.held = [];
    try {
      const after = await this.source.positionOf(afterId, this.filter);
      if (after === undefined) return this.gap(afterId, 'unknown');
      // The client has everything up to its event; live events at or before it are not sent again.
      this.sentUpTo = after;
      const upTo = await this.source.horizon();
      for (let from = after, read = 0; this.stream.isOpen && from < upTo;) {
        const events = await this.source.replay(from, upTo, this.filter, REPLAY_PAGE);
        for (const event of events) this.deliver(event);
        read += events.length;
        if (events.length < REPLAY_PAGE) break;
        if (read >= REPLAY_MAX) return this.gap(afterId, 'too-far-behind');
        from = events[events.length - 1]!.position;
      }
      this.release();
    } catch (error) {
      // The client resumes from the last id it got, on this replica or another.
      this.logger.warn({ err: error }, 'Could not replay order events; ending the stream');
      this.stream.close('server');
    }
  }

  /** Tells the client that what it missed cannot be replayed: it re-reads its orders, then goes on live. */
  private gap(afterId: string, reason: 'unknown' | 'too-far-behind'): void {
    this.stream.send({
      id: '', // resets the client's Last-Event-ID: a reconnect does not ask for the same replay again
      event: 'gap',
      data: {
        lastEventId: afterId,
        reason,
        detail:
          reason === 'unknown'
            ? 'The events after this id are no longer kept (or it is not one of yours): re-read GET /v1/orders.'
            : 'Too many events were missed to replay them: re-read GET /v1/orders.',
      },
    });
    this.release();
  }

  /** The live events held during a resume, then live again. */
  private release(): void {
    const held = this.held ?? [];
    this.held = undefined;
    for (const event of held) this.deliver(event);
  }

  private deliver(event: LiveEvent): void {
    if (event.position <= this.sentUpTo) return;
    this.sentUpTo = event.position;
    this.stream.send({ id: event.id, event: event.name, data: messageOf(event) });
  }

  private concerns(event: DomainEvent): boolean {
    return this.userId === undefined || (event.payload as { userId?: unknown }).userId === this.userId;
  }
}

/** The client's view of an order event: what changed, not the order's lines. */
export function messageOf(event: DomainEvent): OrderEventMessage {
  const payload = event.payload as Partial<OrderEventMessage>;
  const message: OrderEventMessage = {
    orderId: String(payload.orderId),
    userId: String(payload.userId),
    status: payload.status as OrderEventMessage['status'],
    occurredAt: event.occurredAt.toISOString(),
  };
  if (payload.from !== undefined) message.from = payload.from;
  if (payload.version !== undefined) message.version = payload.version;
  if (payload.totalCents !== undefined) message.totalCents = payload.totalCents;
  if (payload.currency !== undefined) message.currency = payload.currency;
  return message;
}
