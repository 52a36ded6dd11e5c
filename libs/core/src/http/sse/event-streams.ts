import { Injectable, Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AppConfig } from '../../config/app-config';
import { RequestLog } from '../../logging/request-log';
import { Metrics } from '../../metrics/metrics';
import { ProblemException } from '../../problem/problem-details';
import { ProblemType } from '../../problem/problem-types';
import { EventStream, type EventStreamEnd } from './event-stream';

/** An event stream's own headers. Proxies (nginx) must pass each event on at once rather than buffer the answer. */
const STREAM_HEADERS = {
  'content-type': 'text/event-stream; charset=utf-8',
  'cache-control': 'no-cache, no-store',
  'x-accel-buffering': 'no',
};

/** Requests answered by an event stream: the request hooks leave their metrics and log line to the stream. */
const streamRequests = new WeakSet<FastifyRequest>();

/**
 * Whether this request became an event stream. Fastify runs `onResponse` when the server ends one and
 * `onRequestAbort` when the client leaves: neither is a finished or abandoned request, and a duration would only
 * say how long the client stayed.
 */
export const isEventStream = (request: FastifyRequest): boolean => streamRequests.has(request);

export interface OpenEventStreamOptions {
  /** Whose stream it is: at most SSE_MAX_STREAMS_PER_USER open per owner. */
  owner: string;
  /** What it streams, for the metrics' `stream` label (a constant, e.g. `orders`). */
  name: string;
}

/**
 * Every server-sent event stream this process holds open. `open` checks the limits (429 for an owner at
 * SSE_MAX_STREAMS_PER_USER, 503 at SSE_MAX_STREAMS or while shutting down) before anything is written, so a
 * refusal is an ordinary problem+json answer; then it takes the connection over from Fastify and writes the
 * head: the headers the request hooks set (security headers, request id, CORS) and the stream's own, and
 * `retry:`. At shutdown (Fastify's `preClose`, after the drain, before the server waits for connections) every
 * stream is ended, so that a stream never holds the shutdown up and its client reconnects to another replica.
 */
@Injectable()
export class EventStreams {
  private readonly logger = new Logger('EventStreams');
  private readonly open = new Set<EventStream>();
  private readonly perOwner = new Map<string, number>();
  private readonly openByName = new Map<string, number>();
  private closing = false;
  private readonly messages;
  private readonly ended;
  private readonly rejected;

  constructor(
    private readonly config: AppConfig,
    private readonly metrics: Metrics,
    private readonly requestLog: RequestLog,
  ) {
    this.messages = metrics.counter('sse_messages_total', 'Server-sent events written, by stream and event name', [
      'stream',
      'event',
    ]);
    this.ended = metrics.counter('sse_streams_ended_total', 'Server-sent event streams ended, by stream and why', [
      'stream',
      'reason',
    ]);
    this.rejected = metrics.counter(
      'sse_streams_rejected_total',
      'Server-sent event streams refused, by stream and why (per_user: 429, capacity or shutdown: 503)',
      ['stream', 'reason'],
    );
    metrics.gauge('sse_streams_open', 'Server-sent event streams open now, by stream', ['stream'], (set) => {
      for (const [stream, count] of this.openByName) set({ stream }, count);
    });
  }

  /**
   * Takes the request's connection over as an event stream, or throws a problem when a limit says no. A HEAD request
   * (a GET without its body) gets the stream's head and ends at once: no stream opens, and this returns `undefined`.
   * (Node never sends the head of a HEAD answer until it ends, so a stream would leave the client waiting.)
   */
  start(request: FastifyRequest, reply: FastifyReply, options: OpenEventStreamOptions): EventStream | undefined {
    const { heartbeatMs, retryMs, maxStreams, maxStreamsPerUser } = this.config.sse;
    if (this.closing || this.open.size >= maxStreams) {
      this.rejected.inc({ stream: options.name, reason: this.closing ? 'shutdown' : 'capacity' });
      throw new ProblemException({
        status: 503,
        type: ProblemType.unavailable,
        detail: 'This server holds as many event streams as it can; reconnect in a moment.',
        headers: { 'retry-after': String(Math.ceil(retryMs / 1000)) },
      });
    }
    const held = this.perOwner.get(options.owner) ?? 0;
    if (held >= maxStreamsPerUser) {
      this.rejected.inc({ stream: options.name, reason: 'per_user' });
      throw new ProblemException({
        status: 429,
        type: ProblemType.tooManyStreams,
        title: 'Too many event streams',
        detail: `You already hold ${held} open event streams, the most one user may; close one first.`,
        headers: { 'retry-after': String(Math.ceil(retryMs / 1000)) },
      });
    }

    if (request.method === 'HEAD') {
      void reply.status(200).headers(STREAM_HEADERS).send();
      return undefined;
    }

    void reply.hijack();
    streamRequests.add(request);
    const res = reply.raw;
    const headers: Record<string, string | number | string[]> = {};
    for (const [name, value] of Object.entries(reply.getHeaders())) {
      if (value !== undefined) headers[name] = value;
    }
    res.writeHead(200, { ...headers, ...STREAM_HEADERS });
    res.write(`retry: ${retryMs}\n\n`);
    request.raw.socket?.setNoDelay(true);
    // Counted as an answered request now, once (see isEventStream).
    this.metrics.httpRequests.inc({
      method: request.method,
      route: request.routeOptions.url ?? 'unmatched',
      status: '200',
    });

    const stream = new EventStream(res, heartbeatMs, (event) => this.messages.inc({ stream: options.name, event }));
    this.open.add(stream);
    this.perOwner.set(options.owner, held + 1);
    this.openByName.set(options.name, (this.openByName.get(options.name) ?? 0) + 1);
    stream.onClose((reason: EventStreamEnd) => {
      this.open.delete(stream);
      const left = (this.perOwner.get(options.owner) ?? 1) - 1;
      if (left > 0) this.perOwner.set(options.owner, left);
      else this.perOwner.delete(options.owner);
      this.openByName.set(options.name, (this.openByName.get(options.name) ?? 1) - 1);
      this.ended.inc({ stream: options.name, reason });
      // The request's log line, at its end (as for any answer), with how long the stream was open.
      this.requestLog.answered(request, reply);
    });
    return stream;
  }

  /** Ends every open stream and refuses new ones (shutdown). */
  closeAll(): void {
    this.closing = true;
    if (this.open.size > 0) this.logger.log(`ending ${this.open.size} event stream(s) for shutdown`);
    for (const stream of [...this.open]) stream.close('shutdown');
  }
}
