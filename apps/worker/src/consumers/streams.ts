import type { JetStreamManager } from '@nats-io/jetstream';

/** Same settings as the outbox relay's streams (libs/events/src/outbox-relay.ts): 7 days, 10 minutes of de-duplication. */
export const DUPLICATE_WINDOW_NS = 10 * 60 * 1_000_000_000;
export const STREAM_MAX_AGE_NS = 7 * 24 * 3_600 * 1_000_000_000;

/** Where dead letters go: stream `<PREFIX_>DLQ`, subjects `<prefix.>dlq.<job>.<original subject without prefix>`. */
export function dlqRoute(prefix: string): { stream: string; subjectRoot: string } {
  return {
    stream: `${prefix ? `${prefix}_` : ''}DLQ`.toUpperCase().replace(/[^A-Z0-9_]/g, '_'),
    subjectRoot: `${prefix ? `${prefix}.` : ''}dlq`,
  };
}

/** The subject without the environment prefix (`staging.orders.placed` → `orders.placed`). */
export function unprefixed(subject: string, prefix: string): string {
  return prefix && subject.startsWith(`${prefix}.`) ? subject.slice(prefix.length + 1) : subject;
}

/** Creates the stream unless it exists (another process racing us succeeds too). */
export async function ensureStream(manager: JetStreamManager, name: string, subjects: string[]): Promise<void> {
  try {
    await manager.streams.info(name);
  } catch {
    try {
      await manager.streams.add({ name, subjects, duplicate_window: DUPLICATE_WINDOW_NS, max_age: STREAM_MAX_AGE_NS });
    } catch (error) {
      await manager.streams.info(name).catch(() => {
        throw error;
      });
    }
  }
}

/** Dead-letter headers; everything else of the original message is kept. */
export const DLQ_HEADERS = {
  job: 'Dlq-Job',
  consumer: 'Dlq-Consumer',
  attempts: 'Dlq-Attempts',
  error: 'Dlq-Error',
  subject: 'Dlq-Original-Subject',
  stream: 'Dlq-Original-Stream',
  sequence: 'Dlq-Original-Seq',
} as const;

/** On a re-driven message: the only job that should take it (the others ack it unseen). */
export const REDRIVE_JOB_HEADER = 'Redrive-Job';

/** A header value on one line, bounded. */
export const headerValue = (text: string, max = 500): string => text.replace(/[\r\n]+/g, ' ').slice(0, max);
