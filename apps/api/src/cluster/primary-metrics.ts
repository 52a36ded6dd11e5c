import { AggregatorRegistry, type Registry } from 'prom-client';
import {
  COLLECT_TIMEOUT_MS,
  type CollectResponse,
  errorText,
  type MessagePort,
  type RegistryJson,
  type ScrapeRequest,
  type ScrapeResponse,
} from './metrics-messages';

/** A worker as the aggregator sees it. */
export interface WorkerEndpoint extends MessagePort {
  readonly id: number;
  readonly pid: number | undefined;
}

interface Collection {
  waiting: Map<number, WorkerEndpoint>;
  results: RegistryJson[];
  /** Settles the collection once nothing is awaited any longer. */
  check(): void;
  fail(error: Error): void;
}

const describe = (workers: Iterable<WorkerEndpoint>): string =>
  [...workers].map((worker) => `worker ${worker.id} (pid ${worker.pid ?? '?'})`).join(', ');

/**
 * The primary's end of the metrics protocol (see metrics-messages.ts): gathers every serving worker's registry,
 * adds the primary's own series (cluster_*) and sums them with prom-client's `AggregatorRegistry.aggregate`:
 * counters and histograms are summed, and so are gauges unless the metric says otherwise (the event-loop
 * lag series are averaged, their min and max kept; `nodejs_version_info` is taken once; the processes'
 * start times are left out).
 */
export class ClusterMetricsAggregator {
  private readonly collections = new Map<string, Collection>();
  private sequence = 0;

  constructor(
    private readonly own: Registry,
    private readonly timeoutMs = COLLECT_TIMEOUT_MS,
  ) {}

  /** Answers a worker's scrape request; `serving` are the workers whose series count. */
  async answer(asker: MessagePort, request: ScrapeRequest, serving: readonly WorkerEndpoint[]): Promise<void> {
    let response: ScrapeResponse;
    try {
      response = { type: 'api-cluster:aggregate', id: request.id, text: await this.aggregate(serving) };
    } catch (error) {
      response = { type: 'api-cluster:aggregate', id: request.id, error: errorText(error) };
    }
    // An asker that exited meanwhile has nobody left to answer.
    await asker.send(response).catch(() => undefined);
  }

  /** The exposition text of every given worker's registry and the primary's, aggregated. */
  async aggregate(workers: readonly WorkerEndpoint[]): Promise<string> {
    const registries = await this.collect(workers);
    registries.push(await this.own.getMetricsAsJSON());
    return AggregatorRegistry.aggregate(registries).metrics();
  }

  /** A worker's answer to a collect request (a late one, after a timeout, is ignored). */
  received(workerId: number, response: CollectResponse): void {
    const collection = this.collections.get(response.id);
    if (!collection?.waiting.has(workerId)) return;
    if (response.error !== undefined) {
      collection.fail(new Error(`worker ${workerId} could not render its metrics: ${response.error}`));
      return;
    }
    collection.waiting.delete(workerId);
    collection.results.push(response.metrics);
    collection.check();
  }

  /** A worker exited: nothing waits for it any longer (its series leave the sum). */
  workerGone(workerId: number): void {
    for (const collection of this.collections.values()) {
      if (collection.waiting.delete(workerId)) collection.check();
    }
  }

  private collect(workers: readonly WorkerEndpoint[]): Promise<RegistryJson[]> {
    const id = `collect-${++this.sequence}`;
    return new Promise<RegistryJson[]>((resolve, reject) => {
      const finish = (error?: Error): void => {
        if (!this.collections.delete(id)) return;
        clearTimeout(timer);
        if (error) reject(error);
        else resolve(collection.results);
      };
      const collection: Collection = {
        waiting: new Map(workers.map((worker) => [worker.id, worker])),
        results: [],
        check: () => {
          if (collection.waiting.size === 0) finish();
        },
        fail: finish,
      };
      const timer = setTimeout(
        () =>
          finish(
            new Error(`${describe(collection.waiting.values())} did not send metrics within ${this.timeoutMs} ms`),
          ),
        this.timeoutMs,
      );
      timer.unref();
      this.collections.set(id, collection);
      for (const worker of workers) {
        // A worker that cannot be reached is exiting: it leaves the sum, as when it has exited.
        worker.send({ type: 'api-cluster:collect', id }).catch(() => this.workerGone(worker.id));
      }
      collection.check();
    });
  }
}
