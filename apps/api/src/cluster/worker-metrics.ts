import { ProblemException, ProblemType } from '@app/core';
import type { Registry } from 'prom-client';
import {
  type CollectResponse,
  errorText,
  isCollectRequest,
  isScrapeResponse,
  type MessagePort,
  SCRAPE_TIMEOUT_MS,
  type ScrapeResponse,
} from './metrics-messages';

/** The worker's IPC channel to the primary. */
export interface PrimaryChannel extends MessagePort {
  onMessage(listener: (message: unknown) => void): void;
}

/** `process` as a {@link PrimaryChannel} (in a cluster worker, `process.send` reaches the primary). */
export const processChannel = (): PrimaryChannel => ({
  send: (message) =>
    new Promise<void>((resolve, reject) => {
      if (!process.send || !process.connected) {
        reject(new Error('the IPC channel to the primary is closed'));
        return;
      }
      process.send(message, undefined, undefined, (error: Error | null) => (error ? reject(error) : resolve()));
    }),
  onMessage: (listener) => process.on('message', listener),
});

const unavailable = (reason: string): ProblemException =>
  new ProblemException({
    status: 503,
    type: ProblemType.unavailable,
    detail: `The metrics of every worker could not be gathered: ${reason}`,
    headers: { 'retry-after': '1' },
  });

/**
 * A cluster worker's end of the metrics protocol (see metrics-messages.ts): it answers the primary's
 * collect requests with its own registry, and renders a scrape by asking the primary for the aggregate.
 */
export class WorkerMetrics {
  private readonly pending = new Map<string, (answer: ScrapeResponse | undefined) => void>();
  private sequence = 0;

  constructor(
    private readonly registry: Registry,
    private readonly primary: PrimaryChannel,
    private readonly timeoutMs = SCRAPE_TIMEOUT_MS,
  ) {
    primary.onMessage((message) => this.receive(message));
  }

  /** Every serving worker's series, aggregated by the primary; a 503 problem when that fails or takes too long. */
  async scrape(): Promise<string> {
    const id = `${process.pid}-${++this.sequence}`;
    const answer = await new Promise<ScrapeResponse | undefined>((resolve) => {
      const timer = setTimeout(() => settle(undefined), this.timeoutMs);
      timer.unref();
      const settle = (value: ScrapeResponse | undefined): void => {
        clearTimeout(timer);
        this.pending.delete(id);
        resolve(value);
      };
      this.pending.set(id, settle);
      this.primary.send({ type: 'api-cluster:scrape', id }).catch((error: unknown) =>
        settle({
          type: 'api-cluster:aggregate',
          id,
          error: `the cluster primary is unreachable (${errorText(error)})`,
        }),
      );
    });
    if (answer === undefined) throw unavailable(`the cluster primary did not answer within ${this.timeoutMs} ms`);
    if (answer.error !== undefined) throw unavailable(answer.error);
    return answer.text;
  }

  private receive(message: unknown): void {
    if (isScrapeResponse(message)) this.pending.get(message.id)?.(message);
    else if (isCollectRequest(message)) void this.collect(message.id);
  }

  private async collect(id: string): Promise<void> {
    let answer: CollectResponse;
    try {
      answer = { type: 'api-cluster:collected', id, metrics: await this.registry.getMetricsAsJSON() };
    } catch (error) {
      answer = { type: 'api-cluster:collected', id, error: errorText(error) };
    }
    // A primary that cannot be reached is gone, and this worker exits with it: nothing to report to.
    await this.primary.send(answer).catch(() => undefined);
  }
}
