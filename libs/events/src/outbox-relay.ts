import { Injectable, Logger, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import type { JetStreamClient } from '@nats-io/jetstream';
import { headers as natsHeaders } from '@nats-io/transport-node';
import { AppConfig } from '@app/core';
import { NatsConnection } from '@app/nats';
import { DrainLoop } from './drain-loop';
import { EventsMetrics } from './events.metrics';
import { OutboxRepository, type UnpublishedEvent } from './outbox.repository';

const BATCH = 100;
/** How long a relay holds the events it publishes; another replica takes them over after that (a crash). */
const LEASE_MS = 30_000;
/** JetStream drops a message whose id it saw within this window: a re-publish after a crash is absorbed. */
const DUPLICATE_WINDOW_NS = 10 * 60 * 1_000_000_000;
const STREAM_MAX_AGE_NS = 7 * 24 * 3_600 * 1_000_000_000;

/** Where a domain's events go: its stream and the wildcard of all its subjects (`orders.>`). */
export interface DomainRoute {
  stream: string;
  domainSubjects: string;
}

/** Aggregate `order` → stream `ORDERS`, subjects `orders.>` (with a prefix: `X_ORDERS`, `x.orders.>`). */
export function domainRouteOf(aggregateType: string, prefix: string): DomainRoute {
  const domain = `${aggregateType}s`;
  const stream = `${prefix ? `${prefix}_` : ''}${domain}`.toUpperCase().replace(/[^A-Z0-9_]/g, '_');
  return { stream, domainSubjects: `${prefix ? `${prefix}.` : ''}${domain}.>` };
}

/** `order.status-changed` → stream `ORDERS`, subject `orders.status-changed` (of `orders.>`). */
export function routeOf(name: string, aggregateType: string, prefix: string): DomainRoute & { subject: string } {
  const route = domainRouteOf(aggregateType, prefix);
  const fact = name.split('.').slice(1).join('.');
  return { ...route, subject: `${route.domainSubjects.slice(0, -1)}${fact}` };
}

/**
 * Relays the outbox to NATS JetStream when NATS_URL is set (one stream per domain, subjects like `orders.placed`,
 * created at first use, idempotently). Each event is published with its id as the message id (JetStream drops a
 * re-publish within ten minutes) and marked published only after JetStream's acknowledgement. Any number of
 * replicas relay at once: events are leased (`FOR UPDATE SKIP LOCKED`), and only the oldest unpublished event of
 * each aggregate is taken, so an aggregate's events are published in order. When NATS is down or slow nothing is
 * lost and nothing waits in memory: the events stay in the outbox, requests are unaffected, and the relay drains
 * them in order once the connection is back.
 */
@Injectable()
export class OutboxRelay implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('OutboxRelay');
  private readonly streams = new Set<string>();
  private readonly loop: DrainLoop;
  private failing = false;

  constructor(
    private readonly outbox: OutboxRepository,
    private readonly nats: NatsConnection,
    private readonly metrics: EventsMetrics,
    private readonly config: AppConfig,
  ) {
    this.loop = new DrainLoop(
      config.events.pollIntervalMs,
      () => this.publishBatch(),
      () => this.refreshStats(),
    );
  }

  get enabled(): boolean {
    return this.nats.configured;
  }

  onApplicationBootstrap(): void {
    if (!this.enabled) return;
    this.metrics.enableRelayMetrics();
    this.loop.start();
  }

  beforeApplicationShutdown(): Promise<void> {
    return this.loop.stop();
  }

  /** Publishes what is waiting now; a poke while a drain runs makes it go round once more. */
  poke(): void {
    if (this.enabled) this.loop.poke();
  }

  idle(): Promise<void> {
    return this.loop.idle();
  }

  private async publishBatch(): Promise<'more' | 'done'> {
    try {
      const js = this.nats.jetStream();
      if (!js) return 'done'; // not connected: the poll tries again
      const batch = await this.outbox.claimUnpublished(BATCH, LEASE_MS);
      const published = await this.publishInOrder(js, batch);
      if (published < batch.length) {
        await this.outbox.releaseLeases(batch.slice(published).map((event) => event.position));
        return 'done'; // the poll tries again
      }
      return batch.length === BATCH ? 'more' : 'done';
    } catch (error) {
      this.logger.warn({ err: error }, 'Could not relay events');
      return 'done';
    }
  }

  /** Publishes the events one by one in order; stops at the first failure. Returns how many were published. */
  private async publishInOrder(js: JetStreamClient, batch: readonly UnpublishedEvent[]): Promise<number> {
    for (const [index, event] of batch.entries()) {
      if (this.loop.isStopped) return index;
      try {
        const duplicate = await this.publish(js, event);
        await this.outbox.markPublished(event.position);
        this.metrics.relayed.inc({
          event: `${event.name}@${event.version}`,
          outcome: duplicate ? 'duplicate' : 'published',
        });
        if (this.failing) this.logger.log('Publishing to JetStream again');
        this.failing = false;
      } catch (error) {
        this.metrics.relayed.inc({ event: `${event.name}@${event.version}`, outcome: 'failed' });
        if (!this.failing)
          this.logger.warn({ err: error, eventId: event.id }, 'Publishing to JetStream failed; will retry');
        this.failing = true;
        this.streams.clear(); // a stream deleted behind our back is created again
        return index;
      }
    }
    return batch.length;
  }

  private async publish(js: JetStreamClient, event: UnpublishedEvent): Promise<boolean> {
    const { stream, subject, domainSubjects } = routeOf(
      event.name,
      event.aggregateType,
      this.config.nats.subjectPrefix,
    );
    await this.ensureStream(stream, domainSubjects);
    const headers = natsHeaders();
    headers.set('Event-Name', event.name);
    headers.set('Event-Version', String(event.version));
    headers.set('Aggregate-Type', event.aggregateType);
    headers.set('Aggregate-Id', event.aggregateId);
    const body = JSON.stringify({
      id: event.id,
      name: event.name,
      version: event.version,
      aggregateType: event.aggregateType,
      aggregateId: event.aggregateId,
      occurredAt: event.occurredAt.toISOString(),
      payload: event.payload,
    });
    const ack = await js.publish(subject, body, {
      msgID: event.id,
      headers,
      timeout: this.config.nats.publishTimeoutMs,
      expect: { streamName: stream },
    });
    return ack.duplicate;
  }

  /** Creates the domain's stream unless it exists (two replicas racing both succeed). */
  private async ensureStream(stream: string, domainSubjects: string): Promise<void> {
    if (this.streams.has(stream)) return;
    const manager = await this.nats.manager();
    if (!manager) throw new Error('NATS is not connected');
    const subjects = [domainSubjects];
    try {
      await manager.streams.info(stream);
    } catch {
      try {
        await manager.streams.add({
          name: stream,
          subjects,
          duplicate_window: DUPLICATE_WINDOW_NS,
          max_age: STREAM_MAX_AGE_NS,
        });
        this.logger.log(`Created JetStream stream ${stream} (${subjects.join(', ')})`);
      } catch (error) {
        // Another replica created it in between: fine if it is there now.
        await manager.streams.info(stream).catch(() => {
          throw error;
        });
      }
    }
    this.streams.add(stream);
  }

  private async refreshStats(): Promise<void> {
    try {
      this.metrics.updateRelay(await this.outbox.relayStats());
    } catch (error) {
      this.logger.warn({ err: error }, 'Could not read the outbox figures');
    }
  }
}
