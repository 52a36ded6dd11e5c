import type { Registry } from 'prom-client';

/**
 * The IPC protocol behind GET /metrics in cluster mode. A scrape reaches whichever worker accepted the
 * connection; that worker asks the primary (`scrape`), the primary asks every serving worker for its registry
 * (`collect` → `collected`), sums them with prom-client's `AggregatorRegistry.aggregate` and answers the
 * asking worker (`aggregate`). Every request carries an id, so concurrent scrapes never mix.
 */

/** One registry's series, as `registry.getMetricsAsJSON()` gives them (what `AggregatorRegistry.aggregate` takes). */
export type RegistryJson = Awaited<ReturnType<Registry['getMetricsAsJSON']>>;

/** Worker → primary: render every worker's metrics for this scrape. */
export interface ScrapeRequest {
  type: 'api-cluster:scrape';
  id: string;
}

/** Primary → worker: the answer to a {@link ScrapeRequest}: the exposition text, or why there is none. */
export type ScrapeResponse = { type: 'api-cluster:aggregate'; id: string } & (
  { text: string; error?: undefined } | { text?: undefined; error: string }
);

/** Primary → worker: send your registry as JSON (`registry.getMetricsAsJSON()`). */
export interface CollectRequest {
  type: 'api-cluster:collect';
  id: string;
}

/** Worker → primary: the answer to a {@link CollectRequest}. */
export type CollectResponse = { type: 'api-cluster:collected'; id: string } & (
  { metrics: RegistryJson; error?: undefined } | { metrics?: undefined; error: string }
);

const isMessage = <T extends { type: string; id: string }>(message: unknown, type: T['type']): message is T =>
  typeof message === 'object' &&
  message !== null &&
  (message as { type?: unknown }).type === type &&
  typeof (message as { id?: unknown }).id === 'string';

export const isScrapeRequest = (message: unknown): message is ScrapeRequest =>
  isMessage<ScrapeRequest>(message, 'api-cluster:scrape');
export const isScrapeResponse = (message: unknown): message is ScrapeResponse =>
  isMessage<ScrapeResponse>(message, 'api-cluster:aggregate');
export const isCollectRequest = (message: unknown): message is CollectRequest =>
  isMessage<CollectRequest>(message, 'api-cluster:collect');
export const isCollectResponse = (message: unknown): message is CollectResponse =>
  isMessage<CollectResponse>(message, 'api-cluster:collected');

/** How long the primary waits for every worker's registry. */
export const COLLECT_TIMEOUT_MS = 3_000;
/** How long a worker waits for the primary's answer: longer, so that the primary's own timeout is what reports. */
export const SCRAPE_TIMEOUT_MS = COLLECT_TIMEOUT_MS + 2_000;

/** One end of an IPC channel: `process` in a worker, a `cluster.Worker` in the primary. */
export interface MessagePort {
  send(message: ScrapeRequest | ScrapeResponse | CollectRequest | CollectResponse): Promise<void>;
}

export const errorText = (error: unknown): string => (error instanceof Error ? error.message : String(error));
