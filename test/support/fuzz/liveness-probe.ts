import { Agent, request as httpRequest } from 'node:http';

/** Kubernetes' default probe timeout is 1 s; the probe must answer well within it. */
export const LIVENESS_BOUND_MS = 500;

export interface ProbeSample {
  /** When the probe was due (performance.now()). */
  dueAt: number;
  /** From when it was due to its answer: a blocked event loop delays both the sending and the answer. */
  latencyMs: number;
  status: number | 'no answer';
  /** What the fuzz was sending meanwhile. */
  during: string;
}

/** What the fuzz is doing right now, for attributing a slow probe. */
export interface Activity {
  current: string;
}

/**
 * `GET /health/live` on its own keep-alive connection. The server runs in this process, so a stalled event loop
 * stalls the client too: latency is measured from when the probe was due, not from when it could be sent, as a
 * kubelet on another machine would see it.
 */
export class LivenessProbe {
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 1 });
  readonly samples: ProbeSample[] = [];
  private stopped = false;
  private loop: Promise<void> | undefined;
  private wake: (() => void) | undefined;
  private sleeping: NodeJS.Timeout | undefined;

  constructor(
    private readonly baseUrl: URL,
    private readonly activity: Activity,
    private readonly intervalMs = 100,
    private readonly timeoutMs = 5_000,
  ) {}

  /** Probes every `intervalMs` until stopped. */
  start(): void {
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.sleeping);
    this.wake?.();
    await this.loop;
    this.agent.destroy();
  }

  /** One probe due at `dueAt` (now by default). */
  probe(dueAt = performance.now()): Promise<ProbeSample> {
    const during = this.activity.current;
    return new Promise<ProbeSample>((resolve) => {
      const done = (status: number | 'no answer'): void => {
        clearTimeout(timer);
        resolve({ dueAt, latencyMs: performance.now() - dueAt, status, during });
      };
      const req = httpRequest(
        { host: this.baseUrl.hostname, port: this.baseUrl.port, path: '/health/live', agent: this.agent },
        (res) => {
          res.resume();
          res.on('end', () => done(res.statusCode ?? 0));
          res.on('error', () => done('no answer'));
        },
      );
      const timer = setTimeout(() => {
        req.destroy();
        done('no answer');
      }, this.timeoutMs);
      req.on('error', () => done('no answer'));
      req.end();
    });
  }

  /** Samples due at or after `since`. */
  samplesSince(since: number): ProbeSample[] {
    return this.samples.filter((sample) => sample.dueAt >= since);
  }

  private async run(): Promise<void> {
    let due = performance.now() + this.intervalMs;
    while (!this.stopped) {
      await this.sleepUntil(due);
      if (this.stopped) return;
      this.samples.push(await this.probe(due));
      // Probes never overlap: one that took long is followed at once by the next (due now), not by a backlog.
      due = Math.max(due + this.intervalMs, performance.now());
    }
  }

  private sleepUntil(due: number): Promise<void> {
    return new Promise<void>((resolve) => {
      this.wake = resolve;
      this.sleeping = setTimeout(resolve, Math.max(0, due - performance.now()));
    });
  }
}

/** The slowest of the samples, if any. */
export const slowestSample = (samples: readonly ProbeSample[]): ProbeSample | undefined =>
  samples.reduce<ProbeSample | undefined>((a, b) => (a === undefined || b.latencyMs > a.latencyMs ? b : a), undefined);

/** A sample that a Kubernetes liveness probe would count as a failure (or as uncomfortably close to one). */
export const isSlowOrFailed = (sample: ProbeSample): boolean =>
  sample.status !== 200 || sample.latencyMs >= LIVENESS_BOUND_MS;

export const describeSample = (sample: ProbeSample): string =>
  `${Math.round(sample.latencyMs)} ms, status ${sample.status}, during ${sample.during}`;
