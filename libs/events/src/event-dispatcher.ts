import { Injectable, Logger, type OnApplicationBootstrap, type BeforeApplicationShutdown } from '@nestjs/common';
import { AppConfig } from '@app/core';
import { type DomainEvent, eventKey, InvalidEventPayloadError, validatePayload } from './domain-event';
import { DrainLoop } from './drain-loop';
import { EventInbox } from './event-inbox';
import { EventSubscriptions } from './event-subscriptions';
import { EventsMetrics } from './events.metrics';
import type { EventDelivery } from './handles-event.decorator';
import { type ClaimedDelivery, OutboxRepository } from './outbox.repository';

const BATCH = 50;
/** How long a dispatcher holds a delivery; another replica takes it over after that (a crash mid-delivery). */
const LEASE_MS = 60_000;
const MAX_BACKOFF_MS = 5 * 60_000;
const PURGE_EVERY_MS = 10 * 60_000;

/**
 * Delivers the outbox to this process's subscribers. A commit that recorded events with subscribers pokes it; a poll
 * (`EVENTS_POLL_INTERVAL_MS`) picks up retries and what another replica left behind. Each delivery is leased in the
 * database, so replicas never run one at once, and only the oldest pending delivery of each (subscriber, aggregate)
 * is due, so an aggregate's events arrive in order.
 *
 * A handler that throws is retried with exponential backoff (`EVENTS_RETRY_BASE_MS`, doubling, at most 5 min) up to
 * `EVENTS_MAX_ATTEMPTS` attempts, then the delivery is `dead` (kept, counted in /metrics, no longer blocking its
 * aggregate). A payload that breaks its schema is dead at once. Nothing here ever fails the request that published.
 */
@Injectable()
export class EventDispatcher implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('EventDispatcher');
  private readonly loop: DrainLoop;
  private lastPurgeAt = 0;

  constructor(
    private readonly outbox: OutboxRepository,
    private readonly subscriptions: EventSubscriptions,
    private readonly inbox: EventInbox,
    private readonly metrics: EventsMetrics,
    private readonly config: AppConfig,
  ) {
    this.loop = new DrainLoop(
      config.events.pollIntervalMs,
      () => this.deliverBatch(),
      () => this.housekeeping(),
    );
  }

  onApplicationBootstrap(): void {
    this.loop.start();
  }

  /** Stops polling and lets the delivery in progress finish (the rest stays pending for the next start). */
  beforeApplicationShutdown(): Promise<void> {
    return this.loop.stop();
  }

  /** Delivers what is due now; a poke while a drain runs makes it go round once more. */
  poke(): void {
    this.loop.poke();
  }

  /** Resolves once nothing is being delivered (for tests and shutdown). */
  idle(): Promise<void> {
    return this.loop.idle();
  }

  private async deliverBatch(): Promise<'more' | 'done'> {
    try {
      const subscribers = this.subscriptions.all().map((subscription) => subscription.subscriber);
      const batch = await this.outbox.claimDue(subscribers, BATCH, LEASE_MS);
      for (const delivery of batch) {
        if (this.loop.isStopped) return 'done';
        await this.deliver(delivery);
      }
      return batch.length === BATCH ? 'more' : 'done';
    } catch (error) {
      // The database is away: the poll tries again.
      this.logger.warn({ err: error }, 'Could not deliver events');
      return 'done';
    }
  }

  private async deliver(claimed: ClaimedDelivery): Promise<void> {
    const key = eventKey(claimed);
    const subscription = this.subscriptions.find(claimed.subscriber);
    try {
      if (!subscription) throw new Error(`No handler named ${claimed.subscriber} in this process`); // claimDue prevents it
      const event: DomainEvent<object> = {
        id: claimed.id,
        name: claimed.name,
        version: claimed.version,
        aggregateType: claimed.aggregateType,
        aggregateId: claimed.aggregateId,
        occurredAt: claimed.occurredAt,
        payload: validatePayload(subscription.type, claimed.payload),
      };
      const delivery: EventDelivery = {
        subscriber: claimed.subscriber,
        attempt: claimed.attempts,
        once: (work) => this.inbox.once(claimed.subscriber, claimed.id, work),
      };
      await subscription.handle(event, delivery);
      await this.outbox.markDelivered(claimed.subscriber, claimed.position);
      this.metrics.deliveries.inc({ subscriber: claimed.subscriber, event: key, outcome: 'delivered' });
    } catch (error) {
      await this.failed(claimed, key, error);
    }
  }

  private async failed(claimed: ClaimedDelivery, key: string, error: unknown): Promise<void> {
    const hopeless = error instanceof InvalidEventPayloadError || claimed.attempts >= this.config.events.maxAttempts;
    const backoff = Math.min(MAX_BACKOFF_MS, this.config.events.retryBaseMs * 2 ** (claimed.attempts - 1));
    const retryAt = hopeless ? undefined : new Date(Date.now() + backoff * (0.8 + Math.random() * 0.4));
    const message = error instanceof Error ? error.message : String(error);
    const context = { subscriber: claimed.subscriber, event: key, eventId: claimed.id, attempt: claimed.attempts };
    if (hopeless) this.logger.error({ ...context, err: error }, 'Event delivery gave up (dead)');
    else
      this.logger.warn({ ...context, err: error, retryInMs: Math.round(backoff) }, 'Event handler failed; will retry');
    this.metrics.deliveries.inc({ subscriber: claimed.subscriber, event: key, outcome: hopeless ? 'dead' : 'retry' });
    try {
      await this.outbox.markFailed(claimed.subscriber, claimed.position, message.slice(0, 2000), retryAt);
    } catch (markError) {
      // The lease runs out and the delivery is tried again.
      this.logger.warn({ ...context, err: markError }, 'Could not record a failed event delivery');
    }
  }

  /** Reads the figures /metrics shows and, now and then, forgets what is past retention. */
  private async housekeeping(): Promise<void> {
    try {
      this.metrics.update(await this.outbox.stats());
      const now = Date.now();
      if (now - this.lastPurgeAt >= PURGE_EVERY_MS) {
        this.lastPurgeAt = now;
        await this.outbox.purgeBefore(new Date(now - this.config.events.retentionHours * 3_600_000));
      }
    } catch (error) {
      this.logger.warn({ err: error }, 'Event housekeeping failed');
    }
  }
}
