import { Logger } from '@nestjs/common';
import type { EventStream } from '@app/core';
import type { DomainEvent, ReplayFilter } from '@app/events';
import type { OrderEventMessage } from './dto/order-event.message';

/** Events read back from the outbox per query; a resume reads pages until it has caught up. */
export const REPLAY_PAGE = 500;
/** A resume further behind than this is told to re-read the orders instead (a `gap`). */
export const REPLAY_MAX = 10_000;
/** Live events held while a replay runs; a stream that falls further behind is ended (the client resumes). */
const MAX_HELD = 10_000;
/**
 * Ids remembered per stream to drop an event it already sent: a replayed copy and a live one of the same event meet
 * only within a catch-up's window, so the last few hundred are plenty, and a stream holds at most ~20 KB of them
 * (10,000 streams: ~200 MB at worst, when every one of them saw that many events).
 */
const REMEMBERED_IDS = 500;

/** What a feed reads the past from. */
export type Replay = (afterId: string, filter: ReplayFilter, limit: number) => Promise<DomainEvent[] | undefined>;

/**
 * One client's order events: the live events that concern it, after a catch-up from the outbox when it resumes
 * (`Last-Event-ID`) or after NATS was cut off. Live events that arrive during a catch-up wait, then go out
 * behind it; every event goes out once per stream (by id), in the order recorded for each order.
 */
export class OrderEventFeed {
  private readonly logger = new Logger('OrderEventFeed');
  private readonly sent = new Set<string>();
  private held: DomainEvent[] | undefined;
  private lastId: string | undefined;
  private catchingUp: Promise<void> = Promise.resolve();

  constructor(
    private readonly stream: EventStream,
    private readonly replay: Replay,
    /** Only this user's orders; every order when undefined (an admin's unfiltered stream). */
    private readonly userId: string | undefined,
  ) {}

  private get filter(): ReplayFilter {
    return { aggregateType: 'order', payload: this.userId ? { field: 'userId', value: this.userId } : undefined };
  }

  /** A committed event, live. */
  push(event: DomainEvent): void {
    if (event.aggregateType !== 'order' || !this.concerns(event)) return;
    if (!this.held) {
      this.deliver(event);
    } else if (this.held.push(event) > MAX_HELD) {
      this.stream.close('slow');
    }
  }

  /** Sends what was recorded after `afterId` (the client's `Last-Event-ID`, or the last id sent), then the held. */
  catchUp(afterId: string | undefined = this.lastId): Promise<void> {
    if (afterId === undefined) return this.catchingUp;
    this.held ??= [];
    this.catchingUp = this.catchingUp.then(() => this.replayAfter(afterId));
    return this.catchingUp;
  }

  private async replayAfter(afterId: string): Promise<void> {
    try {
      let from = afterId;
      for (let read = 0; this.stream.isOpen;) {
        const events = await this.replay(from, this.filter, REPLAY_PAGE);
        if (events === undefined) return this.gap(afterId, 'unknown');
        for (const event of events) this.deliver(event);
        read += events.length;
        if (events.length < REPLAY_PAGE) break;
        if (read >= REPLAY_MAX) return this.gap(afterId, 'too-far-behind');
        from = events[events.length - 1]!.id;
      }
      const held = this.held ?? [];
      this.held = undefined;
      for (const event of held) this.deliver(event);
    } catch (error) {
      // The client resumes from the last id it got, on this replica or another.
      this.logger.warn({ err: error }, 'Could not replay order events; ending the stream');
      this.stream.close('server');
    }
  }

  /** Tells the client that what it missed cannot be replayed: it re-reads its orders, then goes on live. */
  private gap(afterId: string, reason: 'unknown' | 'too-far-behind'): void {
    const held = this.held ?? [];
    this.held = undefined;
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
    for (const event of held) this.deliver(event);
  }

  private deliver(event: DomainEvent): void {
    if (this.sent.has(event.id)) return;
    this.sent.add(event.id);
    if (this.sent.size > REMEMBERED_IDS) this.sent.delete(this.sent.values().next().value as string);
    this.lastId = event.id;
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
