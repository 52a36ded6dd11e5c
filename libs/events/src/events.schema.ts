import { sql } from 'drizzle-orm';
import {
  bigint,
  bigserial,
  check,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';

const instant = (name: string) => timestamp(name, { withTimezone: true, precision: 3 });

/**
 * The transactional outbox: every domain event, written in the transaction that made the change it describes, so
 * an event exists exactly when its change committed. `position` is the order events were recorded in.
 */
export const outboxEvents = pgTable(
  'outbox_events',
  {
    position: bigserial('position', { mode: 'number' }).primaryKey(),
    id: uuid('id').notNull(),
    name: text('name').notNull(),
    version: integer('version').notNull(),
    aggregateType: text('aggregate_type').notNull(),
    aggregateId: text('aggregate_id').notNull(),
    payload: jsonb('payload').notNull(),
    occurredAt: instant('occurred_at')
      .notNull()
      .default(sql`now()`),
    /** When the relay had JetStream's acknowledgement (NATS_URL set); null until then. */
    publishedAt: instant('published_at'),
    /** Until when a relay holds the event while it publishes it (replicas never publish one at once). */
    relayLeaseUntil: instant('relay_lease_until'),
  },
  (table) => [
    uniqueIndex('outbox_events_id_unique').on(table.id),
    index('outbox_events_occurred_idx').on(table.occurredAt),
    index('outbox_events_unpublished_idx')
      .on(table.aggregateType, table.aggregateId, table.position)
      .where(sql`${table.publishedAt} is null`),
  ],
);

export const DELIVERY_STATES = ['pending', 'delivered', 'dead'] as const;
export type DeliveryState = (typeof DELIVERY_STATES)[number];

/**
 * One row per (in-process subscriber, event), written with the event: what is still to be delivered, how often it
 * was tried, and until when a dispatcher holds it (`lease_until`, so that replicas never run one delivery at once).
 */
export const eventDeliveries = pgTable(
  'event_deliveries',
  {
    subscriber: text('subscriber').notNull(),
    eventPosition: bigint('event_position', { mode: 'number' })
      .notNull()
      .references(() => outboxEvents.position, { onDelete: 'cascade' }),
    /** `aggregate_type:aggregate_id`: deliveries of one aggregate to one subscriber go one at a time, in order. */
    aggregateKey: text('aggregate_key').notNull(),
    state: text('state', { enum: DELIVERY_STATES }).notNull().default('pending'),
    attempts: integer('attempts').notNull().default(0),
    nextAttemptAt: instant('next_attempt_at')
      .notNull()
      .default(sql`now()`),
    leaseUntil: instant('lease_until'),
    lastError: text('last_error'),
    finishedAt: instant('finished_at'),
  },
  (table) => [
    primaryKey({ columns: [table.subscriber, table.eventPosition] }),
    index('event_deliveries_pending_idx')
      .on(table.subscriber, table.aggregateKey, table.eventPosition)
      .where(sql`${table.state} = 'pending'`),
    index('event_deliveries_due_idx')
      .on(table.nextAttemptAt)
      .where(sql`${table.state} = 'pending'`),
    index('event_deliveries_finished_idx').on(table.finishedAt),
    check('event_deliveries_state_known', sql`${table.state} in ('pending', 'delivered', 'dead')`),
  ],
);

/**
 * The inbox: which events each handler has already applied (`EventDelivery.once`, `EventInbox.once`), written in
 * the handler's own transaction so that a redelivered event changes nothing twice.
 */
export const processedEvents = pgTable(
  'processed_events',
  {
    subscriber: text('subscriber').notNull(),
    eventId: uuid('event_id').notNull(),
    processedAt: instant('processed_at')
      .notNull()
      .default(sql`now()`),
  },
  (table) => [
    primaryKey({ columns: [table.subscriber, table.eventId] }),
    index('processed_events_processed_idx').on(table.processedAt),
  ],
);
