import { Injectable } from '@nestjs/common';
import type { Counter } from 'prom-client';
import { Metrics } from '@app/core';
import type { DeliveryStats, RelayStats } from './outbox.repository';

/** The events' series on /metrics. The gauges show the last figures the dispatcher read (every poll). */
@Injectable()
export class EventsMetrics {
  readonly published: Counter<'event'>;
  readonly deliveries: Counter<'subscriber' | 'event' | 'outcome'>;
  readonly relayed: Counter<'event' | 'outcome'>;
  readonly liveHolesSkipped: Counter<never>;
  private stats: DeliveryStats = { pending: 0, dead: 0, oldestPendingSeconds: 0 };
  private relay: RelayStats = { unpublished: 0, oldestUnpublishedSeconds: 0 };

  constructor(private readonly metrics: Metrics) {
    this.relayed = metrics.counter(
      'outbox_relayed_total',
      'Outbox events handed to JetStream, by event and outcome (published, duplicate, failed)',
      ['event', 'outcome'],
    );
    this.liveHolesSkipped = metrics.counter(
      'live_events_holes_skipped_total',
      'Holes in the outbox positions the live events gave up waiting for (a transaction open for over 5 s)',
      [],
    );
    this.published = metrics.counter('domain_events_published_total', 'Domain events committed, by event', ['event']);
    this.deliveries = metrics.counter(
      'event_deliveries_total',
      'In-process event deliveries by subscriber, event and outcome (delivered, retry, dead)',
      ['subscriber', 'event', 'outcome'],
    );
    metrics.gauge(
      'event_deliveries_waiting',
      'Event deliveries not yet done, by state (pending, dead)',
      ['state'],
      (set) => {
        set({ state: 'pending' }, this.stats.pending);
        set({ state: 'dead' }, this.stats.dead);
      },
    );
    metrics.gauge(
      'event_delivery_oldest_pending_seconds',
      'Age of the oldest event with a pending in-process delivery',
      [],
      (set) => set({}, this.stats.oldestPendingSeconds),
    );
  }

  /** The relay's series, registered only when NATS_URL is set. */
  enableRelayMetrics(): void {
    this.metrics.gauge('outbox_pending', 'Outbox events not yet published to JetStream', [], (set) =>
      set({}, this.relay.unpublished),
    );
    this.metrics.gauge(
      'outbox_oldest_pending_seconds',
      'Age of the oldest outbox event not yet published to JetStream',
      [],
      (set) => set({}, this.relay.oldestUnpublishedSeconds),
    );
  }

  updateRelay(stats: RelayStats): void {
    this.relay = stats;
  }

  update(stats: DeliveryStats): void {
    this.stats = stats;
  }
}
