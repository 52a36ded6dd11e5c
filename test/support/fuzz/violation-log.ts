import type { Finding } from './invariants';

/** A broken invariant with the request that broke it. */
export interface Violation extends Finding {
  /** The route label (`POST /v1/orders`, `raw: duplicate Content-Length`…). */
  route: string;
  /** The HTTP status, or how the exchange ended without one. */
  outcome: string;
  /** {@link describeRequest} of the request. */
  request: string;
  /** Status, Content-Type and the start of the body. */
  response: string;
  /** The fuzz run that produced it (1-based), when it came from the fuzz. */
  run?: number;
}

interface Group {
  first: Violation;
  count: number;
}

const indent = (text: string, prefix: string): string =>
  text
    .split('\n')
    .map((line) => prefix + line)
    .join('\n');

/**
 * The violations of one run, grouped by invariant, route and outcome so that a defect hit a thousand times is
 * reported once, with the first request that showed it.
 */
export class ViolationLog {
  private readonly groups = new Map<string, Group>();

  add(violation: Violation): void {
    const key = `${violation.invariant} | ${violation.route} | ${violation.outcome}`;
    const group = this.groups.get(key);
    if (group) group.count++;
    else this.groups.set(key, { first: violation, count: 1 });
  }

  get size(): number {
    return this.groups.size;
  }

  /** One line per group: `invariant | route | outcome`. */
  signatures(): string[] {
    return [...this.groups.keys()].sort();
  }

  /** Everything needed to understand and replay each group. */
  report(replayHint: string): string {
    if (this.groups.size === 0) return 'no violations';
    const total = [...this.groups.values()].reduce((sum, group) => sum + group.count, 0);
    const lines = [`${this.groups.size} distinct violations (${total} in all). Replay: ${replayHint}`];
    const groups = [...this.groups.entries()].sort(([a], [b]) => a.localeCompare(b));
    groups.forEach(([key, { first, count }], i) => {
      const where = first.run === undefined ? '' : `, first at run #${first.run}`;
      lines.push('', `${i + 1}. ${key} (×${count}${where})`, `   ${first.detail}`);
      lines.push('   request:', indent(first.request, '     '), `   response: ${first.response}`);
    });
    return lines.join('\n');
  }
}
