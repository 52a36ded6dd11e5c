import { request as httpRequest, type IncomingHttpHeaders, type IncomingMessage } from 'node:http';

/** One message of a `text/event-stream`, as a client parses it. */
export interface SseMessage {
  id?: string;
  event?: string;
  data: string;
  retry?: number;
}

/**
 * A test client of a server-sent event stream over a real socket: parses frames as the WHATWG spec says (fields,
 * comments, blank-line dispatch), keeps every message and comment, and can wait for what a test expects.
 */
export class SseClient {
  readonly messages: SseMessage[] = [];
  readonly comments: string[] = [];
  retry: number | undefined;
  status = 0;
  headers: IncomingHttpHeaders = {};
  /** The body when the answer is not an event stream (a problem). */
  body = '';
  private res: IncomingMessage | undefined;
  private buffer = '';
  private current: Partial<SseMessage> & { data?: string } = {};
  private waiters: Array<() => void> = [];
  readonly ended: Promise<void>;
  private markEnded!: () => void;
  isEnded = false;

  private constructor() {
    this.ended = new Promise((resolve) => (this.markEnded = resolve));
  }

  /** Connects and resolves once the answer's head is in (any status). */
  static connect(url: string, headers: Record<string, string> = {}): Promise<SseClient> {
    const client = new SseClient();
    return new Promise((resolve, reject) => {
      const req = httpRequest(url, { headers: { accept: 'text/event-stream', ...headers } }, (res) => {
        client.res = res;
        client.status = res.statusCode ?? 0;
        client.headers = res.headers;
        res.setEncoding('utf8');
        const streaming = String(res.headers['content-type'] ?? '').startsWith('text/event-stream');
        res.on('data', (chunk: string) => (streaming ? client.feed(chunk) : (client.body += chunk)));
        const end = (): void => {
          client.isEnded = true;
          client.markEnded();
          client.wake();
        };
        res.on('end', end);
        res.on('close', end);
        res.on('error', end);
        resolve(client);
      });
      req.on('error', reject);
      req.end();
    });
  }

  /** The messages with this event name, their data parsed as JSON. */
  data<T = Record<string, unknown>>(event?: string): T[] {
    return this.messages.filter((m) => event === undefined || m.event === event).map((m) => JSON.parse(m.data) as T);
  }

  /** Waits until `check` holds (re-checked on every frame), or fails after `ms`. */
  async until(check: () => boolean, ms = 5_000, what = 'the expected events'): Promise<void> {
    const deadline = Date.now() + ms;
    while (!check()) {
      const left = deadline - Date.now();
      if (left <= 0)
        throw new Error(`${what} did not arrive within ${ms} ms; got ${JSON.stringify(this.messages.slice(-10))}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.min(left, 200));
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  close(): void {
    this.res?.destroy();
  }

  private wake(): void {
    for (const waiter of this.waiters.splice(0)) waiter();
  }

  private feed(chunk: string): void {
    this.buffer += chunk;
    let newline: number;
    while ((newline = this.buffer.search(/\r\n|\n|\r/)) >= 0) {
      const line = this.buffer.slice(0, newline);
      this.buffer = this.buffer.slice(newline + (this.buffer.startsWith('\r\n', newline) ? 2 : 1));
      this.line(line);
    }
    this.wake();
  }

  private line(line: string): void {
    if (line === '') {
      if (this.current.data !== undefined) this.messages.push({ ...this.current, data: this.current.data });
      this.current = {};
      return;
    }
    if (line.startsWith(':')) {
      this.comments.push(line.slice(1).trim());
      return;
    }
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'data')
      this.current.data = this.current.data === undefined ? value : `${this.current.data}\n${value}`;
    else if (field === 'id') this.current.id = value;
    else if (field === 'event') this.current.event = value;
    else if (field === 'retry' && /^\d+$/.test(value)) this.retry = Number(value);
  }
}
