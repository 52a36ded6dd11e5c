/**
 * The loop the dispatcher and the relay share: `drainOnce()` works through one batch and says whether there may be
 * more; a poke starts a drain unless one runs (then it goes round once more when done); a poll every `intervalMs`
 * pokes and runs `housekeeping()` (retries, another replica's leftovers, figures for /metrics). One drain at a time.
 */
export class DrainLoop {
  private draining: Promise<void> | undefined;
  private again = false;
  private stopped = false;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly intervalMs: number,
    private readonly drainOnce: () => Promise<'more' | 'done'>,
    private readonly housekeeping: () => Promise<void>,
  ) {}

  get isStopped(): boolean {
    return this.stopped;
  }

  start(): void {
    this.schedule();
  }

  /** Stops polling and waits for the drain in progress (the rest waits for the next start). */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.draining;
  }

  poke(): void {
    if (this.stopped) return;
    if (this.draining) {
      this.again = true;
      return;
    }
    this.draining = this.drain().finally(() => {
      this.draining = undefined;
    });
  }

  /** Resolves once no drain is running. */
  async idle(): Promise<void> {
    while (this.draining) await this.draining;
  }

  private async drain(): Promise<void> {
    do {
      this.again = false;
      if ((await this.drainOnce()) === 'more') this.again = true;
    } while (this.again && !this.stopped);
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.poke();
      void this.housekeeping().finally(() => this.schedule());
    }, this.intervalMs);
    this.timer.unref();
  }
}
