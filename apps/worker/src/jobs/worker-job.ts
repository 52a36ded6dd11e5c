import type { DomainEvent, EventType } from '@app/events';

/**
 * A job of the worker: the events it wants (their JetStream subjects follow from them, see `routeOf`) and what to do
 * with one. The runner calls `handle` inside `EventInbox.once(subscriber, event.id, …)`, so an event redelivered
 * after a crash or a nak, or re-driven from the dead-letter stream, has its effect once. A handler that throws is
 * retried with backoff, then dead-lettered.
 */
/** What the runner reads of an event type (any payload: `aggregateIdOf` is left out, it is the publisher's). */
export type JobEventType = Pick<EventType<object>, 'name' | 'version' | 'aggregateType' | 'payload' | 'description'>;

export abstract class WorkerJob {
  /** Stable: the durable consumer's name, the inbox subscriber (`worker.<name>`), the DLQ subject and metric label. */
  abstract readonly name: string;
  abstract readonly events: readonly JobEventType[];
  /**
   * Messages of one consumer handled at once. 1 (the default): one after another, in stream order, so that the job
   * sees an aggregate's events in the order they were recorded. More only for a job whose events need no order
   * among themselves (each one its own aggregate's only event it acts on), e.g. to keep a thread pool busy.
   */
  readonly concurrency: number = 1;
  abstract handle(event: DomainEvent): Promise<void>;
}

/** The token under which the worker module lists its jobs. */
export const WORKER_JOBS = Symbol('WORKER_JOBS');
