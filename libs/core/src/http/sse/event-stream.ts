import type { ServerResponse } from 'node:http';

/** One message of a server-sent event stream (the WHATWG `text/event-stream` format). */
export interface EventStreamMessage {
  /** Sent as `id:`; a client sends the last one back as `Last-Event-ID` when it reconnects. */
  id?: string;
  /** Sent as `event:` (the client's listener name); `message` when absent. */
  event?: string;
  /** Sent as one `data:` line of JSON. */
  data: unknown;
}

/** Why a stream ended: the client left, the server ended it, the client read too slowly, shutdown, or its credentials expired. */
export type EventStreamEnd = 'client' | 'server' | 'slow' | 'shutdown' | 'expired';

/** A slow client's unsent bytes beyond which its stream is ended (it reconnects and resumes). */
export const MAX_BUFFERED_BYTES = 1024 * 1024;

const FIELD = /^[^\r\n]*$/;

/**
 * One open `text/event-stream` answer, written straight to the socket (the reply is hijacked: no serializer,
 * no compression, nothing buffered). Messages, heartbeats and the end are the only things ever written; a client
 * that does not read is ended rather than buffered for.
 */
export class EventStream {
  private ended: EventStreamEnd | undefined;
  private readonly closeListeners: Array<(reason: EventStreamEnd) => void> = [];
  private readonly heartbeat: NodeJS.Timeout;

  constructor(
    private readonly res: ServerResponse,
    heartbeatMs: number,
    private readonly onMessage: (event: string) => void,
  ) {
    this.heartbeat = setInterval(() => this.write(': heartbeat\n\n'), heartbeatMs);
    this.heartbeat.unref();
    res.once('close', () => this.finish('client'));
    // A client that left while the request was authenticated: 'close' has fired already, and would never again.
    if (res.destroyed) this.finish('client');
  }

  get isOpen(): boolean {
    return this.ended === undefined;
  }

  /** Writes one message; false when the stream has ended. */
  send(message: EventStreamMessage): boolean {
    if (!this.isOpen) return false;
    let frame = '';
    if (message.id !== undefined) frame += `id: ${field(message.id)}\n`;
    if (message.event !== undefined) frame += `event: ${field(message.event)}\n`;
    // JSON.stringify escapes line breaks inside strings and adds none: one `data:` line.
    frame += `data: ${JSON.stringify(message.data)}\n\n`;
    this.write(frame);
    this.onMessage(message.event ?? 'message');
    return this.isOpen;
  }

  /** Called once when the stream ends, whoever ended it. */
  onClose(listener: (reason: EventStreamEnd) => void): void {
    if (this.ended) listener(this.ended);
    else this.closeListeners.push(listener);
  }

  /** Ends the answer: the client sees the stream close and reconnects after its `retry:` delay. */
  close(reason: EventStreamEnd = 'server'): void {
    if (!this.isOpen) return;
    this.finish(reason);
    this.res.end();
  }

  private write(text: string): void {
    if (!this.isOpen) return;
    this.res.write(text);
    if (this.res.writableLength > MAX_BUFFERED_BYTES) this.close('slow');
  }

  private finish(reason: EventStreamEnd): void {
    if (this.ended) return;
    this.ended = reason;
    clearInterval(this.heartbeat);
    for (const listener of this.closeListeners.splice(0)) listener(reason);
  }
}

function field(value: string): string {
  if (!FIELD.test(value)) throw new Error('An event stream id or event name cannot contain a line break');
  return value;
}
