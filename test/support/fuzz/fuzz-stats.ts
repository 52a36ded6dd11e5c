import { type Exchange, outcomeOf } from './exchange';

/** Counts of one fuzz run, printed with its result. */
export class FuzzStats {
  sent = 0;
  skipped = 0;
  elapsedMs = 0;
  slowestMs = 0;
  readonly byRoute = new Map<string, number>();
  readonly byStatus = new Map<string, number>();

  record(exchange: Exchange): void {
    this.sent++;
    const increment = (map: Map<string, number>, key: string): void => {
      map.set(key, (map.get(key) ?? 0) + 1);
    };
    increment(this.byRoute, exchange.request.route);
    increment(this.byStatus, outcomeOf(exchange));
    for (const answer of exchange.answers) this.slowestMs = Math.max(this.slowestMs, answer.durationMs);
  }

  describe(): string {
    const sorted = (map: Map<string, number>): string =>
      [...map.entries()]
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([key, count]) => `${key}: ${count}`)
        .join(', ');
    return [
      `${this.sent} requests in ${(this.elapsedMs / 1000).toFixed(1)} s (slowest answer ${Math.round(this.slowestMs)} ms)`,
      `by outcome: ${sorted(this.byStatus)}`,
      `by route: ${sorted(this.byRoute)}`,
    ].join('\n');
  }
}
