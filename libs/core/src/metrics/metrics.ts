import { Injectable } from '@nestjs/common';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/**
 * The app's Prometheus registry (one per app instance, not prom-client's global one) and the series
 * every layer shares. Libraries add their own series with `gauge(...)` or by registering on `registry`.
 */
@Injectable()
export class Metrics {
  readonly registry = new Registry();

  readonly httpRequests = new Counter({
    name: 'http_requests_total',
    help: 'HTTP requests answered, by method, route template and status',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [this.registry],
  });

  readonly httpDuration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request duration in seconds, by method, route template and status',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });

  readonly rateLimitRejections = new Counter({
    name: 'rate_limit_rejections_total',
    help: 'Requests rejected with 429, by route template',
    labelNames: ['route'] as const,
    registers: [this.registry],
  });

  /** Replaces what a scrape returns (cluster workers: every worker's series, aggregated); see {@link scrapeFrom}. */
  private scrapeSource: (() => Promise<string>) | undefined;

  constructor() {
    // Process series: CPU, resident memory, heap (total, used, per space), GC, event-loop delay, handles.
    collectDefaultMetrics({ register: this.registry, eventLoopMonitoringPrecision: 20 });
  }

  /**
   * The exposition text GET /metrics serves: this registry's series, or what the source given to
   * {@link scrapeFrom} renders. It may throw a ProblemException (e.g. 503 when a cluster aggregation times out).
   */
  scrape(): Promise<string> {
    return this.scrapeSource ? this.scrapeSource() : this.registry.metrics();
  }

  /**
   * Serves scrapes from `source` instead of this registry. A cluster worker uses it so that a scrape, which
   * reaches whichever worker accepted the connection, answers for every worker.
   */
  scrapeFrom(source: () => Promise<string>): void {
    this.scrapeSource = source;
  }

  /** A counter on this registry, for libraries' own series. */
  counter<L extends string>(name: string, help: string, labelNames: readonly L[]): Counter<L> {
    return new Counter<L>({ name, help, labelNames, registers: [this.registry] });
  }

  /** A gauge whose values are read at scrape time. */
  gauge<L extends string>(
    name: string,
    help: string,
    labelNames: readonly L[],
    read: (set: (labels: Record<L, string>, value: number) => void) => void,
  ): Gauge<L> {
    return new Gauge<L>({
      name,
      help,
      labelNames,
      registers: [this.registry],
      collect() {
        read((labels, value) => this.set(labels as never, value));
      },
    });
  }

  /** Records one answered HTTP request. */
  observeRequest(method: string, route: string, status: number, seconds: number): void {
    const labels = { method, route, status: String(status) };
    this.httpRequests.inc(labels);
    this.httpDuration.observe(labels, seconds);
  }

  /**
   * Records a request whose client closed the connection before the answer: counted as 499 (nginx's "client
   * closed request"), so it shows, but never as a server error; no duration, since nothing was answered.
   */
  countAbandonedRequest(method: string, route: string): void {
    this.httpRequests.inc({ method, route, status: '499' });
  }
}
