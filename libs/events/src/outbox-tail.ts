import { Logger } from '@nestjs/common';
import { DrainLoop } from './drain-loop';
import type { OutboxRepository, RecordedEvent } from './outbox.repository';

/** Events read per query. */
const BATCH = 500;
/** The first wait before reading again while a hole (or the start) has not settled; it doubles up to the maximum. */
const SETTLE_RETRY_MS = 5;
const MAX_SETTLE_RETRY_MS = 200;

export interface OutboxTailOptions {
  /** How often the tail reads without being poked (what other processes commit, when nothing carries it here). */
  pollIntervalMs: number;
  /**
   * How long a hole in the positions may hold the tail back. A hole settles as soon as every transaction that was
   * running when it was seen has ended (one of them may still fill it); a transaction open longer than this anywhere
   * in the database cluster (transaction ids are cluster-wide) makes the tail give the hole up instead.
   */
  settleTimeoutMs: number;
}

/** Something that has to settle before the tail may pass it: a hole in the positions, or its own start. */
interface Unsettled {
  /** A transaction id newer than any transaction that can still fill it. */
  marker: bigint;
  since: number;
}

/**
 * The outbox's newest events, in position order and with no hole that may still fill: an event is handed out only
 * once every event recorded before it has been handed out, or belongs to a transaction that rolled back.
 *
 * Positions come from a sequence when an event is recorded, so transactions commit them out of order: B (position
 * 12) may commit while A (11) still runs. Handing out 12 then 11 would let a client that left in between resume
 * after 12 and never see 11. So a read that finds a hole stops before it, notes a transaction id newer than every
 * transaction running then (`tailMark`), and reads again: once the hole is filled it goes on; once the oldest
 * running transaction is newer than the note, nobody can fill it any more (a rollback) and it is passed.
 *
 * Reads run when poked (a commit here, a message from NATS), every `pollIntervalMs` otherwise, and quickly again
 * while something has not settled. Starting, the tail begins after the newest event and counts as settled (see
 * {@link horizon}) only once every transaction running at that moment has ended.
 */
export class OutboxTail {
  private readonly logger = new Logger('OutboxTail');
  private loop: DrainLoop | undefined;
  /** The position of the last event handed out; `undefined` until the tail has marked its start. */
  private position: number | undefined;
  private start: Unsettled | undefined;
  private hole: (Unsettled & { from: number }) | undefined;
  private waiters: Array<(position: number) => void> = [];
  private retry: NodeJS.Timeout | undefined;
  private retryDelay = SETTLE_RETRY_MS;
  /** Whether the last read failed: an outage is logged when it starts and when it ends, not at every poll. */
  private failing = false;

  constructor(
    private readonly outbox: OutboxRepository,
    private readonly emit: (event: RecordedEvent) => void,
    private readonly options: OutboxTailOptions,
    /** A hole given up on after `settleTimeoutMs`: positions `from` to `to`. */
    private readonly onHoleSkipped: (from: number, to: number) => void = () => undefined,
  ) {}

  /** Starts reading from the newest event on (a no-op when running). */
  run(): void {
    if (this.loop) return;
    const loop: DrainLoop = new DrainLoop(
      this.options.pollIntervalMs,
      () => this.read(loop),
      () => Promise.resolve(),
    );
    this.loop = loop;
    loop.start();
    loop.poke();
  }

  /** Stops reading; a later {@link run} starts afresh from the newest event. */
  async stop(): Promise<void> {
    const loop = this.loop;
    this.loop = undefined;
    clearTimeout(this.retry);
    this.retry = undefined;
    this.retryDelay = SETTLE_RETRY_MS;
    // Nobody waits for a stopped tail: what it has handed out is all there is.
    for (const resolve of this.waiters.splice(0)) resolve(this.position ?? 0);
    this.position = undefined;
    this.start = undefined;
    this.hole = undefined;
    // A read still running belongs to this loop and changes nothing once it ends (it checks).
    await loop?.stop();
  }

  /** Reads now (or once more after the read in progress). */
  poke(): void {
    this.loop?.poke();
  }

  /**
   * The position of the last event handed out, once the start has settled: every event up to it has been handed
   * out, and none can appear below it any more. A replay up to it, followed by the events handed out after it,
   * misses nothing and repeats nothing. Waits while the tail is starting.
   */
  horizon(): Promise<number> {
    if (this.position !== undefined && !this.start) return Promise.resolve(this.position);
    this.run();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  private async read(loop: DrainLoop): Promise<'more' | 'done'> {
    try {
      if (this.position === undefined) {
        const mark = await this.outbox.tailMark();
        if (this.loop !== loop) return 'done';
        this.position = mark.position;
        this.start = { marker: mark.xid, since: Date.now() };
      }
      const { events, xmin } = await this.outbox.tailAfter(this.position, BATCH);
      if (this.loop !== loop) return 'done';
      if (this.failing) {
        this.failing = false;
        this.logger.log('Reading the outbox for live events again');
      }
      if (this.start && (xmin > this.start.marker || this.timedOut(this.start))) this.settle();
      let passed = events.length;
      for (const [index, event] of events.entries()) {
        if (event.position !== this.position + 1 && !(await this.passHole(this.position + 1, event.position, xmin))) {
          passed = index;
          break;
        }
        if (this.loop !== loop) return 'done';
        this.hole = undefined;
        this.position = event.position;
        this.emit(event);
      }
      if (this.start || this.hole) {
        this.retrySoon();
        return 'done';
      }
      this.retryDelay = SETTLE_RETRY_MS;
      return passed === BATCH ? 'more' : 'done';
    } catch (error) {
      // The next poke or poll reads again from the same position: nothing is skipped.
      if (!this.failing) this.logger.warn({ err: error }, 'Could not read the outbox for live events');
      this.failing = true;
      return 'done';
    }
  }

  /** Whether the tail may pass the hole from `from` up to the event at `next`; notes the hole when first seen. */
  private async passHole(from: number, next: number, xmin: bigint): Promise<boolean> {
    if (this.hole?.from !== from) {
      // Noted after this read, so that a later read decides: a transaction that held a position in the hole at
      // this read's snapshot has an id below the marker.
      const { xid } = await this.outbox.tailMark();
      this.hole = { from, marker: xid, since: Date.now() };
      return false;
    }
    if (xmin > this.hole.marker) return true;
    if (!this.timedOut(this.hole)) return false;
    this.logger.warn(
      `Gave up waiting for outbox positions ${from}–${next - 1} after ${this.options.settleTimeoutMs} ms (a ` +
        'transaction has been open that long): a client that resumes across them may miss an event recorded there',
    );
    this.onHoleSkipped(from, next - 1);
    return true;
  }

  private timedOut(what: Unsettled): boolean {
    return Date.now() - what.since >= this.options.settleTimeoutMs;
  }

  private settle(): void {
    this.start = undefined;
    const position = this.position as number;
    for (const resolve of this.waiters.splice(0)) resolve(position);
  }

  private retrySoon(): void {
    if (this.retry) return;
    this.retry = setTimeout(() => {
      this.retry = undefined;
      this.poke();
    }, this.retryDelay);
    this.retry.unref();
    this.retryDelay = Math.min(this.retryDelay * 2, MAX_SETTLE_RETRY_MS);
  }
}
