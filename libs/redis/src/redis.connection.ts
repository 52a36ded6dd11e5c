import { Injectable, Logger } from '@nestjs/common';
import { createClient } from '@redis/client';
import type { Counter } from 'prom-client';
import { AppConfig, Metrics } from '@app/core';
import { RedisUnavailableError } from './redis-unavailable.error';

export type RedisClient = ReturnType<typeof createClient>;

/** How the connection looks right now, for readiness and metrics. */
export type RedisState = 'disabled' | 'ready' | 'connecting' | 'suspended';

/** After a command times out, Redis is skipped for this long (every caller falls back at once). */
const SUSPEND_AFTER_TIMEOUT_MS = 1_000;
const MAX_RECONNECT_DELAY_MS = 2_000;

const delay = (ms: number): Promise<'timeout'> => new Promise((resolve) => setTimeout(resolve, ms, 'timeout').unref());

/**
 * The app's one Redis connection (node-redis), or none when REDIS_URL is unset. Every use goes through
 * {@link run}, which bounds it: no offline queue (a command while disconnected fails at once), a deadline
 * on every command (node-redis' own timeout stops at the socket write, so a frozen server would hold a
 * written command forever), and after a timeout a short suspension so that callers fall back without each
 * waiting out the deadline. The client reconnects by itself, with capped backoff, for as long as the app runs.
 */
@Injectable()
export class RedisConnection {
  private readonly logger = new Logger('Redis');
  private readonly settings: AppConfig['redis'];
  readonly client: RedisClient | undefined;
  private suspendedUntil = 0;
  private warnedSinceReady = false;
  private readonly unavailable: Counter<'use' | 'reason'>;

  constructor(config: AppConfig, metrics: Metrics) {
    this.settings = config.redis;
    this.unavailable = metrics.counter(
      'redis_unavailable_total',
      'Redis operations that fell back (Redis down, suspended, timed out or failing), by use and reason',
      ['use', 'reason'],
    );
    const { url, connectTimeoutMs } = this.settings;
    if (url === undefined) return;
    this.client = createClient({
      url,
      disableOfflineQueue: true,
      // No per-command timeout here: node-redis would create an AbortSignal timer for every command (measured at
      // 6% of a cached read's CPU), and every use already goes through run()/ping(), whose deadline is
      // REDIS_COMMAND_TIMEOUT_MS and, unlike node-redis' own, also covers commands already written to a frozen
      // server.
      pingInterval: 10_000,
      socket: {
        connectTimeout: connectTimeoutMs,
        // Never give up; a little jitter keeps replicas from reconnecting in lockstep.
        reconnectStrategy: (retries) =>
          Math.min(50 * 2 ** Math.min(retries, 10), MAX_RECONNECT_DELAY_MS) + Math.floor(Math.random() * 100),
      },
    });
    // Without an 'error' listener node-redis' errors would crash the process.
    this.client.on('error', (error: Error) => this.onError(error));
    this.client.on('ready', () => {
      this.warnedSinceReady = false;
      this.logger.log(`connected to ${redactedUrl(url)}`);
    });
  }

  get configured(): boolean {
    return this.client !== undefined;
  }

  get state(): RedisState {
    if (this.client === undefined) return 'disabled';
    if (!this.client.isReady) return 'connecting';
    return Date.now() < this.suspendedUntil ? 'suspended' : 'ready';
  }

  /** Calls `listener` each time the connection becomes ready: at startup and after every reconnection. */
  onReady(listener: () => void): void {
    this.client?.on('ready', listener);
  }

  /** `parts` joined under REDIS_KEY_PREFIX: every key the app writes is namespaced. */
  key(...parts: string[]): string {
    return this.settings.keyPrefix + parts.join(':');
  }

  /**
   * Opens the connection, waiting at most REDIS_CONNECT_TIMEOUT_MS or until the first attempt fails: the app
   * starts (and serves, without Redis) even when Redis is down, and connects as soon as it comes back.
   */
  async connect(): Promise<void> {
    if (this.client === undefined || this.client.isOpen) return;
    // Failures are reported by the 'error' listener (once per outage); the first one is answer enough here,
    // and retries go on in the background.
    const connected = this.client.connect().catch(() => undefined);
    const failed = new Promise<void>((resolve) => this.client!.once('error', () => resolve()));
    await Promise.race([connected, failed, delay(this.settings.connectTimeoutMs)]);
  }

  /**
   * Runs one Redis operation within REDIS_COMMAND_TIMEOUT_MS. Throws {@link RedisUnavailableError} when Redis
   * is not configured, not connected, suspended, times out or fails: the caller's cue to fall back. `use`
   * names the caller in `redis_unavailable_total`.
   */
  async run<T>(use: string, operation: (client: RedisClient) => Promise<T>): Promise<T> {
    try {
      const state = this.state;
      if (state !== 'ready') throw new RedisUnavailableError(state);
      return await this.withDeadline(operation(this.client!));
    } catch (error) {
      const unavailable = error instanceof RedisUnavailableError ? error : new RedisUnavailableError('error', error);
      if (unavailable.reason !== 'disabled') this.unavailable.inc({ use, reason: unavailable.reason });
      throw unavailable;
    }
  }

  /** PING round trip in milliseconds, within the command deadline; for probes, so never suspended. */
  async ping(): Promise<number> {
    if (this.client === undefined) throw new RedisUnavailableError('disabled');
    if (!this.client.isReady) throw new RedisUnavailableError('connecting');
    const started = performance.now();
    await this.withDeadline(this.client.ping());
    this.suspendedUntil = 0;
    return Math.round(performance.now() - started);
  }

  /** Closes the connection, waiting for pending replies at most one command deadline. */
  async close(): Promise<void> {
    if (this.client === undefined || !this.client.isOpen) return;
    const closed = this.client.close().then(
      () => 'closed' as const,
      () => 'failed' as const,
    );
    if ((await Promise.race([closed, delay(this.settings.commandTimeoutMs)])) !== 'closed') this.client.destroy();
  }

  private async withDeadline<T>(pending: Promise<T>): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        this.suspendedUntil = Date.now() + SUSPEND_AFTER_TIMEOUT_MS;
        reject(new RedisUnavailableError('timeout'));
      }, this.settings.commandTimeoutMs);
    });
    // A command abandoned at the deadline may still settle later; nothing must see that as unhandled.
    pending.catch(() => undefined);
    try {
      return await Promise.race([pending, deadline]);
    } catch (error) {
      throw error instanceof RedisUnavailableError ? error : new RedisUnavailableError('error', error);
    } finally {
      clearTimeout(timer);
    }
  }

  private onError(error: Error): void {
    // One warning per outage, not one per reconnection attempt.
    if (this.warnedSinceReady) return;
    this.warnedSinceReady = true;
    this.logger.warn(`unavailable: ${error.message}; falling back until it reconnects`);
  }
}

function redactedUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return 'redis';
  }
}
