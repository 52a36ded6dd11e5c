import { Injectable } from '@nestjs/common';
import { and, eq, inArray, sql, type SQL } from 'drizzle-orm';
import { PreparedStatement, rowsOf, TransactionHost } from '@app/database';
import { eventDeliveries, outboxEvents, processedEvents } from './events.schema';

const placeholder = sql.placeholder;

/** An event as it is written to the outbox. */
export interface OutboxRecord {
  id: string;
  name: string;
  version: number;
  aggregateType: string;
  aggregateId: string;
  /** The payload as JSON text. */
  payload: string;
  occurredAt: Date;
  /** Whether the relay is to publish it (NATS_URL set); otherwise it is recorded as needing no relay. */
  awaitRelay: boolean;
}

/** An event as the outbox holds it. */
export type RecordedEvent = UnpublishedEvent;

/** An event a relay holds (leased) to publish. */
export interface UnpublishedEvent {
  position: number;
  id: string;
  name: string;
  version: number;
  aggregateType: string;
  aggregateId: string;
  payload: unknown;
  occurredAt: Date;
}

export interface RelayStats {
  unpublished: number;
  /** Seconds since the oldest unpublished event occurred (0 when none). */
  oldestUnpublishedSeconds: number;
}

/** A delivery a dispatcher holds (leased), with its event. */
export interface ClaimedDelivery {
  subscriber: string;
  position: number;
  attempts: number;
  id: string;
  name: string;
  version: number;
  aggregateType: string;
  aggregateId: string;
  payload: unknown;
  occurredAt: Date;
}

export interface DeliveryStats {
  pending: number;
  dead: number;
  /** Seconds since the oldest pending delivery's event occurred (0 when none is pending). */
  oldestPendingSeconds: number;
}

/** Every order placed records one: prepared, JSON sent as text and cast (a placeholder skips drizzle's encoding). */
const RECORD = new PreparedStatement<Array<{ position: number }>, OutboxRecord>('events_record', (db) =>
  db
    .insert(outboxEvents)
    .values({
      id: placeholder('id'),
      name: placeholder('name'),
      version: sql`${placeholder('version')}::integer`,
      aggregateType: placeholder('aggregateType'),
      aggregateId: placeholder('aggregateId'),
      payload: sql`${placeholder('payload')}::jsonb`,
      occurredAt: sql`${placeholder('occurredAt')}::timestamptz`,
      // Without a relay an event needs no publishing: it never enters the relay's (partial) indexes.
      publishedAt: sql`case when ${placeholder('awaitRelay')}::boolean then null else now() end`,
    })
    .returning({ position: outboxEvents.position }),
);

/** Which recorded events a replay wants: one aggregate type, and optionally one value of one payload field. */
export interface ReplayFilter {
  aggregateType: string;
  /** e.g. `{ field: 'userId', value: id }`: only events whose payload has it. */
  payload?: { field: string; value: string };
}

/** A read of the outbox's newest events (see OutboxRepository.tailAfter). */
export interface TailRead {
  events: RecordedEvent[];
  /** The oldest transaction id still running at the read's snapshot. */
  xmin: bigint;
}

/** See OutboxRepository.tailMark. */
export interface TailMark {
  position: number;
  xid: bigint;
}

/** An outbox event's columns as `RecordedEvent` names them (the outbox aliased `o`), but for `position`. */
const EVENT_COLUMNS = sql.raw(
  'o.id, o.name, o.version, o.aggregate_type as "aggregateType", o.aggregate_id as "aggregateId", o.payload, ' +
    'o.occurred_at as "occurredAt"',
);

/** A row as the driver returns it (a bigint may be text, a timestamp text in JSON) with its number and date. */
const withTypes = <R extends { position: number | string; occurredAt: Date | string }>(
  row: R,
): Omit<R, 'position' | 'occurredAt'> & { position: number; occurredAt: Date } => ({
  ...row,
  position: Number(row.position),
  occurredAt: new Date(row.occurredAt),
});

type EventRow<T> = Omit<T, 'position' | 'occurredAt'> & { position: number | string; occurredAt: Date | string };

const payloadMatches = (filter: ReplayFilter): SQL =>
  filter.payload ? sql`and o.payload ->> ${filter.payload.field} = ${filter.payload.value}` : sql``;

/** All SQL of the outbox, its deliveries and the inbox. */
@Injectable()
export class OutboxRepository {
  constructor(private readonly txHost: TransactionHost) {}

  /** Writes the event, and one pending delivery per in-process subscriber, in the ambient transaction. */
  async record(event: OutboxRecord, subscribers: readonly string[]): Promise<number> {
    const [row] = await RECORD.execute(this.txHost.tx, event);
    const position = Number((row as { position: number }).position);
    if (subscribers.length > 0) {
      await this.txHost.tx.insert(eventDeliveries).values(
        subscribers.map((subscriber) => ({
          subscriber,
          eventPosition: position,
          aggregateKey: `${event.aggregateType}:${event.aggregateId}`,
        })),
      );
    }
    return position;
  }

  /**
   * Leases up to `limit` due deliveries of `subscribers` (the handlers this process has) for `leaseMs`, oldest event
   * first, and counts the attempt. Only the first pending delivery of each (subscriber, aggregate) is due: one
   * aggregate's events reach a subscriber one at a time and in the order they were recorded. Rows another dispatcher
   * holds are skipped, not waited for; a process never takes a delivery for a handler it does not have (another kind
   * of process, or another version during a rolling deploy).
   */
  async claimDue(subscribers: readonly string[], limit: number, leaseMs: number): Promise<ClaimedDelivery[]> {
    if (subscribers.length === 0) return [];
    const names = sql.join(
      subscribers.map((name) => sql`${name}`),
      sql`, `,
    );
    const result = await this.txHost.tx.execute(sql`
      with due as (
        select d.subscriber, d.event_position
        from ${eventDeliveries} d
        where d.state = 'pending' and d.next_attempt_at <= now() and d.subscriber in (${names})
          and (d.lease_until is null or d.lease_until < now())
          and not exists (
            select 1 from ${eventDeliveries} earlier
            where earlier.subscriber = d.subscriber and earlier.aggregate_key = d.aggregate_key
              and earlier.state = 'pending' and earlier.event_position < d.event_position)
        order by d.event_position
        limit ${limit}
        for update of d skip locked
      )
      update ${eventDeliveries} d
      set lease_until = now() + ${leaseMs} * interval '1 millisecond', attempts = d.attempts + 1
      from due, ${outboxEvents} o
      where d.subscriber = due.subscriber and d.event_position = due.event_position and o.position = d.event_position
      returning d.subscriber, d.event_position as position, d.attempts, ${EVENT_COLUMNS}`);
    return rowsOf<EventRow<ClaimedDelivery>>(result)
      .map(withTypes)
      .sort((a, b) => a.position - b.position);
  }

  async markDelivered(subscriber: string, position: number): Promise<void> {
    await this.txHost.tx
      .update(eventDeliveries)
      .set({ state: 'delivered', leaseUntil: null, lastError: null, finishedAt: sql`now()` })
      .where(and(eq(eventDeliveries.subscriber, subscriber), eq(eventDeliveries.eventPosition, position)));
  }

  /** A failed attempt: retried at `retryAt`, or given up (`dead`) when `retryAt` is undefined. */
  async markFailed(subscriber: string, position: number, error: string, retryAt: Date | undefined): Promise<void> {
    await this.txHost.tx
      .update(eventDeliveries)
      .set(
        retryAt
          ? { leaseUntil: null, lastError: error, nextAttemptAt: retryAt }
          : { state: 'dead', leaseUntil: null, lastError: error, finishedAt: sql`now()` },
      )
      .where(and(eq(eventDeliveries.subscriber, subscriber), eq(eventDeliveries.eventPosition, position)));
  }

  /**
   * Leases up to `limit` unpublished events for `leaseMs`, oldest first. Only the oldest unpublished event of each
   * aggregate is taken: an aggregate's events are published one at a time, in order, whichever replica relays them.
   */
  async claimUnpublished(limit: number, leaseMs: number): Promise<UnpublishedEvent[]> {
    const result = await this.txHost.tx.execute(sql`
      with due as (
        select o.position from ${outboxEvents} o
        where o.published_at is null and (o.relay_lease_until is null or o.relay_lease_until < now())
          and not exists (
            select 1 from ${outboxEvents} earlier
            where earlier.aggregate_type = o.aggregate_type and earlier.aggregate_id = o.aggregate_id
              and earlier.published_at is null and earlier.position < o.position)
        order by o.position
        limit ${limit}
        for update skip locked
      )
      update ${outboxEvents} o set relay_lease_until = now() + ${leaseMs} * interval '1 millisecond'
      from due where o.position = due.position
      returning o.position, ${EVENT_COLUMNS}`);
    return rowsOf<EventRow<UnpublishedEvent>>(result)
      .map(withTypes)
      .sort((a, b) => a.position - b.position);
  }

  /**
   * Where a resume starts: the position of the event `afterId` if it matches `filter`; `undefined` when there is no
   * such event (never recorded, purged after EVENTS_RETENTION_HOURS, or one the filter does not match).
   */
  async positionOf(afterId: string, filter: ReplayFilter): Promise<number | undefined> {
    const [start] = rowsOf<{ position: number | string }>(
      await this.txHost.tx.execute(sql`
        select o.position from ${outboxEvents} o
        where o.id = ${afterId} and o.aggregate_type = ${filter.aggregateType} ${payloadMatches(filter)}`),
    );
    return start && Number(start.position);
  }

  /** The events that match `filter` with a position in (`after`, `upTo`], oldest first, at most `limit`. */
  async eventsBetween(after: number, upTo: number, filter: ReplayFilter, limit: number): Promise<RecordedEvent[]> {
    const result = await this.txHost.tx.execute(sql`
      select o.position, ${EVENT_COLUMNS}
      from ${outboxEvents} o
      where o.position > ${after} and o.position <= ${upTo}
        and o.aggregate_type = ${filter.aggregateType} ${payloadMatches(filter)}
      order by o.position
      limit ${limit}`);
    return rowsOf<EventRow<RecordedEvent>>(result).map(withTypes);
  }

  /**
   * The events recorded after `position` (of every aggregate), oldest first, at most `limit`, with the oldest
   * transaction id still running when they were read (same snapshot): what the live tail needs to tell the hole a
   * rolled-back transaction left from an event whose transaction has yet to commit.
   */
  async tailAfter(position: number, limit: number): Promise<TailRead> {
    const [row] = rowsOf<{ xmin: string; events: Array<EventRow<RecordedEvent>> | string }>(
      await this.txHost.tx.execute(sql`
        select pg_snapshot_xmin(pg_current_snapshot())::text as xmin,
          coalesce(json_agg(e order by e.position), '[]'::json) as events
        from (
          select o.position, ${EVENT_COLUMNS}
          from ${outboxEvents} o
          where o.position > ${position}
          order by o.position
          limit ${limit}
        ) e`),
    );
    const events =
      typeof row?.events === 'string' ? (JSON.parse(row.events) as Array<EventRow<RecordedEvent>>) : row?.events;
    return { xmin: BigInt(row?.xmin ?? 0), events: (events ?? []).map(withTypes) };
  }

  /**
   * The newest position, and a transaction id newer than that of every transaction that may still be recording an
   * event below it (it takes one: the statement is a transaction of its own). Once the oldest running transaction
   * is newer than `xid`, every event below `position` is committed or never will be.
   */
  async tailMark(): Promise<TailMark> {
    const [row] = rowsOf<{ xid: string; position: number | string }>(
      await this.txHost.tx.execute(sql`
        select pg_current_xact_id()::text as xid, coalesce(max(o.position), 0) as position
        from ${outboxEvents} o`),
    );
    return { xid: BigInt(row?.xid ?? 0), position: Number(row?.position ?? 0) };
  }

  async markPublished(position: number): Promise<void> {
    await this.txHost.tx
      .update(outboxEvents)
      .set({ publishedAt: sql`now()`, relayLeaseUntil: null })
      .where(eq(outboxEvents.position, position));
  }

  /** Gives leased events back (a publish failed): the next relay round takes them again, in order. */
  async releaseLeases(positions: readonly number[]): Promise<void> {
    if (positions.length === 0) return;
    await this.txHost.tx
      .update(outboxEvents)
      .set({ relayLeaseUntil: null })
      .where(inArray(outboxEvents.position, [...positions]));
  }

  async relayStats(): Promise<RelayStats> {
    const [row] = rowsOf<{ unpublished: number; oldest: number | null }>(
      await this.txHost.tx.execute(sql`
        select count(*)::int as unpublished,
               extract(epoch from now() - min(occurred_at))::float8 as oldest
        from ${outboxEvents} where published_at is null`),
    );
    return { unpublished: row?.unpublished ?? 0, oldestUnpublishedSeconds: Math.max(0, row?.oldest ?? 0) };
  }

  async stats(): Promise<DeliveryStats> {
    const [row] = rowsOf<{ pending: number; dead: number; oldest: number | null }>(
      await this.txHost.tx.execute(sql`
        select count(*) filter (where d.state = 'pending')::int as pending,
               count(*) filter (where d.state = 'dead')::int as dead,
               extract(epoch from now() - min(o.occurred_at) filter (where d.state = 'pending'))::float8 as oldest
        from ${eventDeliveries} d join ${outboxEvents} o on o.position = d.event_position
        where d.state <> 'delivered'`),
    );
    return { pending: row?.pending ?? 0, dead: row?.dead ?? 0, oldestPendingSeconds: Math.max(0, row?.oldest ?? 0) };
  }

  /**
   * Forgets what is older than `cutoff` and done with: events published (or needing no relay) whose deliveries all
   * succeeded (their delivery rows go with them), and inbox entries. Events not yet published, or with a pending or
   * dead delivery, stay.
   */
  async purgeBefore(cutoff: Date): Promise<number> {
    const at = cutoff.toISOString();
    const result = await this.txHost.tx.execute(sql`
      with purged as (
        delete from ${outboxEvents} o
        where o.occurred_at < ${at}::timestamptz and o.published_at is not null
          and not exists (select 1 from ${eventDeliveries} d where d.event_position = o.position and d.state <> 'delivered')
        returning 1)
      select count(*)::int as count from purged`);
    await this.txHost.tx.execute(sql`delete from ${processedEvents} where processed_at < ${at}::timestamptz`);
    return rowsOf<{ count: number }>(result)[0]?.count ?? 0;
  }

  /** Records that `subscriber` applied the event; false when it already had (in the ambient transaction). */
  async markProcessed(subscriber: string, eventId: string): Promise<boolean> {
    const rows = await this.txHost.tx
      .insert(processedEvents)
      .values({ subscriber, eventId })
      .onConflictDoNothing()
      .returning({ eventId: processedEvents.eventId });
    return rows.length === 1;
  }
}
