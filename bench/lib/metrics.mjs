// Reads the API's Prometheus text. prom-client resets the event-loop delay histogram on every scrape, so a
// scrape before a window and one after it give the delay during that window.
export async function scrape(base) {
  const res = await fetch(`${base}/metrics`, { signal: AbortSignal.timeout(10_000) });
  if (res.status !== 200) throw new Error(`/metrics answered ${res.status}`);
  return parse(await res.text());
}

/** Sums every sample of each metric name (over all label sets). */
export function parse(text) {
  const sums = new Map();
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{[^}]*\})?\s+(\S+)/.exec(line);
    if (!match) continue;
    const value = Number(match[2]);
    if (Number.isFinite(value)) sums.set(match[1], (sums.get(match[1]) ?? 0) + value);
  }
  return sums;
}

/** Cache hits / (hits + misses) between two scrapes, or undefined when nothing was looked up. */
export function hitRatio(before, after) {
  const delta = (name) => (after.get(name) ?? 0) - (before.get(name) ?? 0);
  const hits = delta('cache_hits_total');
  const misses = delta('cache_misses_total');
  return { hits, misses, ratio: hits + misses > 0 ? hits / (hits + misses) : undefined };
}

/** Event-loop delay since the previous scrape, in ms. */
export const eventLoop = (after) => ({
  p99: (after.get('nodejs_eventloop_lag_p99_seconds') ?? NaN) * 1000,
  max: (after.get('nodejs_eventloop_lag_max_seconds') ?? NaN) * 1000,
});

/**
 * The event-loop histogram's sampling interval (`eventLoopMonitoringPrecision` in libs/core/src/metrics/metrics.ts):
 * each sample is the time between two ticks of a timer of this period, so an idle loop reads about 20 ms.
 */
export const EVENT_LOOP_RESOLUTION_MS = 20;

/** Event-loop delay since the previous scrape beyond the sampling interval (the time the loop was late), in ms. */
export const eventLoopLate = (after) => {
  const { p99, max } = eventLoop(after);
  return { p99: Math.max(0, p99 - EVENT_LOOP_RESOLUTION_MS), max: Math.max(0, max - EVENT_LOOP_RESOLUTION_MS) };
};
