import { Injectable, Logger } from '@nestjs/common';
import { jetstream, jetstreamManager, type JetStreamClient, type JetStreamManager } from '@nats-io/jetstream';
import { connect, type Msg, type NatsConnection as NatsClient, type Subscription } from '@nats-io/transport-node';
import { AppConfig } from '@app/core';

/** How the connection looks right now, for readiness and metrics. */
export type NatsState = 'disabled' | 'connecting' | 'ready' | 'closed';

/** A plain (core NATS) subscription the connection keeps: made once connected, renewed by the client after a reconnect. */
interface Interest {
  subject: string;
  onMessage: (message: Msg) => void;
  subscription?: Subscription;
}

/**
 * The app's connection to NATS (JetStream), or none when NATS_URL is unset. It connects in the background and never
 * blocks or fails the boot; the client reconnects by itself for as long as the app runs (jittered, every half
 * second). Users ask {@link jetStream} for a client and get `undefined` while there is no connection, so that they
 * wait (the outbox keeps the events) instead of handing the client messages to hold: nothing grows in memory.
 */
@Injectable()
export class NatsConnection {
  private readonly logger = new Logger('NATS');
  private client: NatsClient | undefined;
  private js: JetStreamClient | undefined;
  private connected = false;
  private closing = false;
  private connecting: Promise<void> | undefined;
  private readonly interests = new Set<Interest>();
  private readonly reconnectListeners = new Set<() => void>();

  constructor(private readonly config: AppConfig) {}

  get configured(): boolean {
    return this.config.nats.url !== undefined;
  }

  get state(): NatsState {
    if (!this.configured) return 'disabled';
    if (this.closing) return 'closed';
    return this.connected ? 'ready' : 'connecting';
  }

  /** Starts connecting (once); resolves when the first connection is up, which callers need not wait for. */
  start(): Promise<void> {
    if (!this.configured || this.closing) return Promise.resolve();
    this.connecting ??= this.open().catch((error: unknown) => {
      this.logger.error({ err: error }, 'Could not connect to NATS');
    });
    return this.connecting;
  }

  /** The JetStream client while connected; `undefined` otherwise. */
  jetStream(): JetStreamClient | undefined {
    return this.connected ? this.js : undefined;
  }

  /**
   * A plain NATS subscription to `subject` (at most once, no JetStream: what a live fan-out wants), made as soon as
   * the connection is up and kept across reconnects. Returns the unsubscribe function.
   */
  subscribe(subject: string, onMessage: (message: Msg) => void): () => void {
    const interest: Interest = { subject, onMessage };
    this.interests.add(interest);
    if (this.connected && this.client) this.attach(this.client, interest);
    return () => {
      this.interests.delete(interest);
      interest.subscription?.unsubscribe();
      interest.subscription = undefined;
    };
  }

  /**
   * Called after each reconnect: what was published while this process was cut off never reached its plain
   * subscriptions, so their users catch up from their own store. Returns the removal function.
   */
  onReconnect(listener: () => void): () => void {
    this.reconnectListeners.add(listener);
    return () => this.reconnectListeners.delete(listener);
  }

  async manager(): Promise<JetStreamManager | undefined> {
    return this.connected && this.client ? jetstreamManager(this.client) : undefined;
  }

  /** A round trip to the server, bounded by `timeoutMs`; rejects when not connected or too slow. */
  async ping(timeoutMs: number): Promise<number> {
    const client = this.connected ? this.client : undefined;
    if (!client) throw new Error('not connected');
    const started = performance.now();
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        client.flush(),
        new Promise((_, reject) => {
          timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
        }),
      ]);
    } finally {
      clearTimeout(timer);
    }
    return Math.round(performance.now() - started);
  }

  async close(): Promise<void> {
    this.closing = true;
    const client = this.client;
    this.client = undefined;
    this.connected = false;
    if (client && !client.isClosed()) await client.drain().catch(() => client.close());
  }

  private async open(): Promise<void> {
    const servers = (this.config.nats.url ?? '').split(',').map((server) => server.trim());
    const client = await connect({
      servers,
      name: 'nest-api',
      waitOnFirstConnect: true,
      reconnect: true,
      maxReconnectAttempts: -1,
      reconnectTimeWait: 500,
      reconnectJitter: 250,
      timeout: 2_000,
    });
    if (this.closing) {
      await client.close();
      return;
    }
    this.client = client;
    this.js = jetstream(client, { timeout: this.config.nats.publishTimeoutMs });
    this.connected = true;
    for (const interest of this.interests) this.attach(client, interest);
    this.logger.log(`connected to ${client.getServer()}`);
    void this.watch(client);
  }

  private attach(client: NatsClient, interest: Interest): void {
    interest.subscription ??= client.subscribe(interest.subject, {
      callback: (error, message) => {
        if (!error) interest.onMessage(message);
      },
    });
  }

  private async watch(client: NatsClient): Promise<void> {
    for await (const status of client.status()) {
      if (status.type === 'disconnect') {
        this.connected = false;
        this.logger.warn('disconnected; reconnecting');
      } else if (status.type === 'reconnect') {
        this.connected = true;
        this.logger.log(`reconnected to ${client.getServer()}`);
        for (const listener of this.reconnectListeners) listener();
      }
    }
  }
}
