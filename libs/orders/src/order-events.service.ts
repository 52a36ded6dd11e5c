import { Injectable } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Principal } from '@app/auth';
import { EventStreams } from '@app/core';
import { type LiveEvent, LiveEvents } from '@app/events';
import { OrderEventFeed } from './order-event-feed';

/** The longest a timer may wait (setTimeout's limit): a token valid for longer just outlives it. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * Live order updates over server-sent events: the caller's own orders' events (an admin's: every order's, or one
 * user's), on whichever replica the caller is connected to, whichever replica made the change. One listener on
 * `LiveEvents` for the whole process hands each event to the feeds of its order's owner and to admins' unfiltered
 * feeds only, so that an event costs the same however many other users hold streams.
 */
@Injectable()
export class OrderEventsService {
  private readonly byUser = new Map<string, Set<OrderEventFeed>>();
  private readonly unfiltered = new Set<OrderEventFeed>();
  private stopListening: (() => void) | undefined;

  constructor(
    private readonly streams: EventStreams,
    private readonly live: LiveEvents,
  ) {}

  /**
   * Opens the caller's stream (or throws 429/503 before anything is written), resumes after `lastEventId` when
   * given, and keeps it until the client leaves, its token expires or the server shuts down.
   */
  open(
    principal: Principal,
    userFilter: string | undefined,
    lastEventId: string | undefined,
    request: FastifyRequest,
    reply: FastifyReply,
  ): void {
    const userId = principal.role === 'admin' ? userFilter : principal.id;
    const stream = this.streams.start(request, reply, { owner: principal.id, name: 'orders' });
    if (!stream) return; // HEAD: the head only
    const feed = new OrderEventFeed(stream, this.live, userId);
    const removeFeed = this.add(feed, userId);
    const expiry =
      principal.expiresAt === undefined
        ? undefined
        : setTimeout(() => stream.close('expired'), Math.min(MAX_TIMER_MS, principal.expiresAt * 1000 - Date.now()));
    expiry?.unref();
    stream.onClose(() => {
      removeFeed();
      clearTimeout(expiry);
    });
    if (lastEventId !== undefined) void feed.resume(lastEventId);
  }

  private add(feed: OrderEventFeed, userId: string | undefined): () => void {
    let set = this.unfiltered;
    if (userId !== undefined) {
      set = this.byUser.get(userId) ?? new Set();
      this.byUser.set(userId, set);
    }
    set.add(feed);
    this.stopListening ??= this.live.listen('order', (event) => this.dispatch(event));
    return () => {
      set.delete(feed);
      if (userId !== undefined && set.size === 0) this.byUser.delete(userId);
      if (this.byUser.size === 0 && this.unfiltered.size === 0) {
        this.stopListening?.();
        this.stopListening = undefined;
      }
    };
  }

  private dispatch(event: LiveEvent): void {
    const owner = (event.payload as { userId?: unknown }).userId;
    const feeds = typeof owner === 'string' ? this.byUser.get(owner) : undefined;
    if (feeds) for (const feed of feeds) feed.push(event);
    for (const feed of this.unfiltered) feed.push(event);
  }
}
