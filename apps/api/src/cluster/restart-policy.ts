export interface RestartPolicyOptions {
  /** Workers in a row that exit before listening (no worker listened in between): then the primary gives up. */
  maxBootFailures: number;
  /** Unexpected exits tolerated within `windowMs`; one more and the primary gives up. */
  maxCrashes: number;
  windowMs: number;
  /** Delay before the first replacement; it doubles with every exit still in the window, up to `maxDelayMs`. */
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RESTART_POLICY: RestartPolicyOptions = {
  maxBootFailures: 3,
  maxCrashes: 10,
  windowMs: 60_000,
  baseDelayMs: 100,
  maxDelayMs: 5_000,
};

export type RestartDecision = { restart: true; delayMs: number } | { restart: false; reason: string };

/**
 * When the primary replaces a worker that exited unexpectedly, and when it stops trying. A worker that dies
 * before listening (bad configuration, database unreachable, a bug at boot) would die again: a few of those
 * in a row end the primary with a nonzero code, for the service manager to report. Crashes of serving
 * workers are replaced with an exponential backoff, unless they come so often that the service is not
 * really running.
 */
export class RestartPolicy {
  private bootFailures = 0;
  private recentExits: number[] = [];

  constructor(private readonly options: RestartPolicyOptions = DEFAULT_RESTART_POLICY) {}

  /** A worker is listening: the workers can boot. */
  listening(): void {
    this.bootFailures = 0;
  }

  /** A worker exited unexpectedly; `listened` says whether it had been serving. */
  exited(listened: boolean, now = Date.now()): RestartDecision {
    const { maxBootFailures, maxCrashes, windowMs, baseDelayMs, maxDelayMs } = this.options;
    this.recentExits = this.recentExits.filter((at) => now - at < windowMs);
    this.recentExits.push(now);
    if (!listened && ++this.bootFailures >= maxBootFailures) {
      return {
        restart: false,
        reason: `${this.bootFailures} workers in a row exited before listening (see their errors above)`,
      };
    }
    if (this.recentExits.length > maxCrashes) {
      return {
        restart: false,
        reason: `${this.recentExits.length} workers exited unexpectedly within ${windowMs / 1000} s`,
      };
    }
    return { restart: true, delayMs: Math.min(maxDelayMs, baseDelayMs * 2 ** (this.recentExits.length - 1)) };
  }
}
