import { Inject, Injectable, Logger } from '@nestjs/common';
import { AckPolicy, DeliverPolicy, type ConsumerMessages, type JsMsg } from '@nats-io/jetstream';
import { headers as natsHeaders } from '@nats-io/transport-node';
import type { Counter } from 'prom-client';
import { AppConfig, Metrics } from '@app/core';
import {
  type DomainEvent,
  EventInbox,
  type EventType,
  InvalidEventPayloadError,
  routeOf,
  validatePayload,
} from '@app/events';
import { NatsConnection } from '@app/nats';
import { type JobEventType, WORKER_JOBS, WorkerJob } from '../jobs/worker-job';
import { DLQ_HEADERS, dlqRoute, ensureStream, headerValue, REDRIVE_JOB_HEADER, unprefixed } from './streams';

const MAX_BACKOFF_MS = 5 * 60_000;
/** Messages a consumer holds at once: few, so that a stop leaves little to redeliver. */
const PULL_BATCH = 8;
/**
 * How long one pull request lives on the server. Short: the pull requests of a worker that was killed outlive it
 * until they expire, and the server hands them messages meanwhile (redelivered after the ack wait).
 */
const PULL_EXPIRES_MS = 3_000;

export type JobOutcome = 'done' | 'retry' | 'dead' | 'duplicate' | 'skipped';

/** One durable pull consumer: a job's events within one stream. */
interface Subscription {
  job: WorkerJob;
  stream: string;
  /** All the stream's subjects (`orders.>`). */
  domainSubjects: string;
  durable: string;
  filterSubject: string;
  /** Subject → the event type it carries. */
  types: Map<string, JobEventType>;
  messages?: ConsumerMessages;
  loop?: Promise<void>;
}

/** A message that can never succeed (not JSON, unknown event, invalid payload): dead-lettered at once. */
class Hopeless extends Error {}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms).unref());

/**
 * Runs the worker's jobs on JetStream: one durable pull consumer (explicit ack) per job and stream, created or
 * updated at start; each message handled once by event id through the inbox; failures nak'ed with exponential
 * backoff, then dead-lettered after WORKER_MAX_ATTEMPTS deliveries; `stop` stops pulling and waits (bounded) for
 * the messages in progress, which are acked.
 */
@Injectable()
export class JobRunner {
  private readonly logger = new Logger('JobRunner');
  private readonly subscriptions: Subscription[] = [];
  private readonly inFlight = new Set<Promise<void>>();
  private readonly outcomes: Counter<'job' | 'outcome'>;
  private stopping = false;
  private started = false;

  constructor(
    @Inject(WORKER_JOBS) private readonly jobs: WorkerJob[],
    private readonly inbox: EventInbox,
    private readonly nats: NatsConnection,
    private readonly config: AppConfig,
    metrics: Metrics,
  ) {
    this.outcomes = metrics.counter('worker_jobs_total', 'Messages handled by the worker, by job and outcome', [
      'job',
      'outcome',
    ]);
    metrics.gauge('worker_jobs_in_flight', 'Messages being handled right now', [], (set) =>
      set({}, this.inFlight.size),
    );
    const prefix = config.nats.subjectPrefix;
    for (const job of jobs) {
      const byStream = new Map<string, { domainSubjects: string; types: Map<string, JobEventType> }>();
      for (const type of job.events) {
        const { stream, subject, domainSubjects } = routeOf(type.name, type.aggregateType, prefix);
        const entry = byStream.get(stream) ?? { domainSubjects, types: new Map<string, JobEventType>() };
        entry.types.set(subject, type);
        byStream.set(stream, entry);
      }
      for (const [stream, { domainSubjects, types }] of byStream) {
        const subjects = [...types.keys()];
        // NATS 2.9 has one filter subject per consumer: several subjects of a domain share its wildcard, and the
        // job acks the others unseen ('skipped').
        const filterSubject = subjects.length === 1 ? subjects[0]! : domainSubjects;
        this.subscriptions.push({ job, stream, domainSubjects, durable: job.name, filterSubject, types });
      }
    }
  }

  /** True once every consumer exists and is pulling; false again from `stop`. */
  get ready(): boolean {
    return this.started && !this.stopping;
  }

  /** Connects, creates the streams and consumers (idempotently), and starts pulling. */
  async start(): Promise<void> {
    await this.nats.start();
    for (;;) {
      const manager = await this.nats.manager();
      if (this.stopping) return;
      if (manager) {
        try {
          for (const sub of this.subscriptions) {
            await ensureStream(manager, sub.stream, [sub.domainSubjects]);
            await this.ensureConsumer(sub);
          }
          const dlq = dlqRoute(this.config.nats.subjectPrefix);
          await ensureStream(manager, dlq.stream, [`${dlq.subjectRoot}.>`]);
          break;
        } catch (error) {
          this.logger.warn({ err: error }, 'Could not set up the JetStream consumers; retrying');
        }
      }
      await sleep(500);
    }
    for (const sub of this.subscriptions) sub.loop = this.pull(sub);
    this.started = true;
    this.logger.log(`Consuming: ${this.subscriptions.map((s) => `${s.job.name} ← ${s.filterSubject}`).join(', ')}`);
  }

  /**
   * Stops pulling and waits up to `timeoutMs` for the messages in progress (which ack when they finish). Messages
   * pulled but not started are nak'ed back at once. Returns false when some job did not finish in time (JetStream
   * redelivers it after the ack wait).
   */
  async stop(timeoutMs: number): Promise<boolean> {
    this.stopping = true;
    for (const sub of this.subscriptions) sub.messages?.stop();
    let timer: NodeJS.Timeout | undefined;
    const finished = await Promise.race([
      Promise.all([...this.inFlight]).then(() => true),
      new Promise<boolean>((resolve) => {
        timer = setTimeout(() => resolve(false), timeoutMs);
      }),
    ]);
    clearTimeout(timer);
    return finished;
  }

  private async ensureConsumer(sub: Subscription): Promise<void> {
    const manager = await this.nats.manager();
    if (!manager) throw new Error('NATS is not connected');
    const settings = {
      ack_wait: this.config.worker.ackWaitMs * 1_000_000,
      filter_subject: sub.filterSubject,
      // Unlimited on the server: the worker counts attempts itself and dead-letters the last one, so a worker
      // that dies during the last attempt does not leave the message undelivered and unrecorded.
      max_deliver: -1,
    };
    try {
      await manager.consumers.info(sub.stream, sub.durable);
      await manager.consumers.update(sub.stream, sub.durable, settings);
    } catch {
      try {
        await manager.consumers.add(sub.stream, {
          ...settings,
          durable_name: sub.durable,
          ack_policy: AckPolicy.Explicit,
          deliver_policy: DeliverPolicy.All,
        });
      } catch (error) {
        await manager.consumers.info(sub.stream, sub.durable).catch(() => {
          throw error;
        });
      }
    }
  }

  private async pull(sub: Subscription): Promise<void> {
    while (!this.stopping) {
      const js = this.nats.jetStream();
      if (!js) {
        await sleep(250);
        continue;
      }
      try {
        const consumer = await js.consumers.get(sub.stream, sub.durable);
        const { concurrency } = sub.job;
        const messages = await consumer.consume({
          max_messages: Math.max(PULL_BATCH, concurrency),
          expires: PULL_EXPIRES_MS,
        });
        sub.messages = messages;
        if (this.stopping) messages.stop();
        // Up to `concurrency` messages of this consumer in progress at once (1: one after another, in stream order).
        const running = new Set<Promise<void>>();
        for await (const message of messages) {
          if (this.stopping) {
            message.nak(); // pulled but not started: straight back for another worker
            continue;
          }
          const work: Promise<void> = this.handle(sub, message)
            .catch((error: unknown) => {
              // Neither acked nor nak'ed (the dead-letter publish failed): JetStream redelivers it after the ack wait.
              this.logger.error({ err: error, job: sub.job.name }, 'A message could not be settled');
            })
            .finally(() => {
              running.delete(work);
              this.inFlight.delete(work);
            });
          running.add(work);
          this.inFlight.add(work);
          if (running.size >= concurrency) await Promise.race(running);
        }
        await Promise.all(running);
      } catch (error) {
        if (!this.stopping) this.logger.warn({ err: error, consumer: sub.durable }, 'Pulling failed; retrying');
        await sleep(500);
      }
    }
  }

  private async handle(sub: Subscription, message: JsMsg): Promise<void> {
    const { job } = sub;
    const attempt = message.info.deliveryCount;
    const redriveFor = message.headers?.get(REDRIVE_JOB_HEADER);
    const type = sub.types.get(message.subject);
    if (!type || (redriveFor && redriveFor !== job.name)) {
      message.ack();
      this.outcomes.inc({ job: job.name, outcome: 'skipped' });
      return;
    }
    // A long job keeps its message: JetStream would redeliver it after the ack wait otherwise.
    const heartbeat = setInterval(() => message.working(), Math.max(250, this.config.worker.ackWaitMs / 2));
    let outcome: JobOutcome;
    let eventId: string | undefined;
    try {
      const event = this.decode(message, type);
      eventId = event.id;
      const applied = await this.inbox.once(`worker.${job.name}`, event.id, () => job.handle(event));
      outcome = applied ? 'done' : 'duplicate';
      await message.ackAck().catch(() => message.ack());
    } catch (error) {
      const hopeless = error instanceof Hopeless;
      if (hopeless || attempt >= this.config.worker.maxAttempts) {
        outcome = await this.deadLetter(sub, message, error, attempt);
      } else {
        const delay = Math.min(MAX_BACKOFF_MS, this.config.worker.retryBaseMs * 2 ** (attempt - 1));
        message.nak(delay);
        outcome = 'retry';
        this.logger.warn({ err: error, job: job.name, eventId, attempt, retryInMs: delay }, 'Job failed; will retry');
      }
    } finally {
      clearInterval(heartbeat);
    }
    this.outcomes.inc({ job: job.name, outcome });
  }

  private decode(message: JsMsg, type: JobEventType): DomainEvent {
    let raw: DomainEvent;
    try {
      raw = message.json<DomainEvent>();
    } catch {
      throw new Hopeless(`Message ${message.seq} on ${message.subject} is not JSON`);
    }
    if (raw.name !== type.name || raw.version !== type.version || typeof raw.id !== 'string') {
      throw new Hopeless(`Message ${message.seq} on ${message.subject} is not ${type.name}@${type.version}`);
    }
    try {
      return {
        ...raw,
        occurredAt: new Date(raw.occurredAt),
        payload: validatePayload(type as EventType<object>, raw.payload),
      };
    } catch (error) {
      if (error instanceof InvalidEventPayloadError) throw new Hopeless(error.message);
      throw error;
    }
  }

  /** Publishes the message to the DLQ stream, then terminates it; nak'ed for later if the DLQ cannot take it. */
  private async deadLetter(sub: Subscription, message: JsMsg, error: unknown, attempt: number): Promise<JobOutcome> {
    const prefix = this.config.nats.subjectPrefix;
    const dlq = dlqRoute(prefix);
    const reason = error instanceof Error ? error.message : String(error);
    const headers = natsHeaders();
    for (const [key, values] of message.headers ?? []) {
      // JetStream's own headers (message id, expectations) are the original publish's, not this one's.
      if (key.startsWith('Nats-') || key.startsWith('Dlq-') || key === REDRIVE_JOB_HEADER) continue;
      for (const value of values) headers.append(key, value);
    }
    headers.set(DLQ_HEADERS.job, sub.job.name);
    headers.set(DLQ_HEADERS.consumer, `${sub.stream}/${sub.durable}`);
    headers.set(DLQ_HEADERS.attempts, String(attempt));
    headers.set(DLQ_HEADERS.error, headerValue(reason));
    headers.set(DLQ_HEADERS.subject, message.subject);
    headers.set(DLQ_HEADERS.stream, sub.stream);
    headers.set(DLQ_HEADERS.sequence, String(message.seq));
    const subject = `${dlq.subjectRoot}.${sub.job.name}.${unprefixed(message.subject, prefix)}`;
    try {
      const js = this.nats.jetStream();
      if (!js) throw new Error('NATS is not connected');
      await js.publish(subject, message.data, {
        headers,
        msgID: `${sub.stream}:${message.seq}:${sub.job.name}`,
        expect: { streamName: dlq.stream },
      });
    } catch (publishError) {
      this.logger.error({ err: publishError, job: sub.job.name }, 'Could not dead-letter a message; will retry');
      message.nak(this.config.worker.retryBaseMs);
      return 'retry';
    }
    message.term(headerValue(reason, 200));
    this.logger.error(
      { err: error, job: sub.job.name, subject: message.subject, attempts: attempt, dlqSubject: subject },
      'Job gave up; message dead-lettered',
    );
    return 'dead';
  }
}
