import fc from 'fast-check';
import { DatabaseClient } from '@app/database';
import { EventDispatcher } from '@app/events';
import type { TestApp } from '../test-app';
import { type AllowedChanges, DbFingerprint, type Fingerprint, fingerprintChanges } from './db-fingerprint';
import { describeAnswer, type End, type Exchange, outcomeOf, sentMarkersOf } from './exchange';
import { describeRequest, type FuzzRequest, isMutating } from './fuzz-request';
import { FuzzStats } from './fuzz-stats';
import { FuzzWorld } from './fuzz-world';
import { type Answer, KeepAliveClient } from './http-client';
import { checkAnswer, type Finding, markersIn } from './invariants';
import {
  type Activity,
  describeSample,
  isSlowOrFailed,
  LIVENESS_BOUND_MS,
  LivenessProbe,
  type ProbeSample,
} from './liveness-probe';
import { sendRaw } from './raw-socket';
import { Route } from './routes';
import { ViolationLog } from './violation-log';

/** An HTTP request with no answer after this long hangs. */
export const HTTP_TIMEOUT_MS = 15_000;
/** A raw-socket request must be answered or closed within this long ("a few seconds"). */
export const RAW_TIMEOUT_MS = 3_000;
/** A raw request still unanswered after this long may be waiting for more bytes: the client half-closes. */
export const RAW_HALF_CLOSE_MS = 150;
/**
 * A connection that stalls on purpose must be answered or closed by the server within this long: well above the
 * fuzzed app's own 1 s / 2 s slow-client timeouts (plus Node's 1 s check interval), far below "forever".
 */
export const STALLED_TIMEOUT_MS = 8_000;

const STALLED_FOREVER: Finding = {
  invariant: `stalled connection neither answered nor closed within ${STALLED_TIMEOUT_MS / 1000} s`,
  detail: `no answer and the connection still open after ${STALLED_TIMEOUT_MS} ms`,
};

/** The route part of an activity label (`POST /v1/orders (run #12)` → `POST /v1/orders`). */
const routeOf = (activity: string): string => activity.replace(/ \(run #\d+\)$/, '');

const IDEMPOTENCY_KEY = /^[\x20-\x7e]{1,255}$/;

/** Order creations with a valid Idempotency-Key record a 4xx outcome of the handler (404, 409, 422) for replay. */
function recordsIdempotentOutcome(request: FuzzRequest, answers: readonly Answer[]): boolean {
  if (request.kind !== 'http' || request.route !== Route.createOrder || request.method !== 'POST') return false;
  const key = request.headers.find(([name]) => name.toLowerCase() === 'idempotency-key')?.[1];
  return key !== undefined && IDEMPOTENCY_KEY.test(key) && [404, 409, 422].includes(answers[0]?.status ?? 0);
}

/**
 * A refresh answered 401: when its token had been used already, the API revokes that token's whole session (reuse
 * detection: a stolen token was probably replayed), committed although the answer is a refusal.
 */
function refusesReusedRefreshToken(request: FuzzRequest, answers: readonly Answer[]): boolean {
  return request.kind === 'http' && request.route === Route.refresh && answers[0]?.status === 401;
}

export interface FuzzOptions {
  runs: number;
  seed: number;
  /** Runs left when this is spent are skipped (and reported): a stalling server cannot hold CI hostage. */
  budgetMs: number;
}

/**
 * A hostile client against a listening app: sends requests one at a time (so a database change is attributable),
 * checks every answer against the invariants, compares the DB fingerprint around every rejected write, and keeps
 * a liveness probe running on its own connection meanwhile.
 */
export class FuzzHarness {
  readonly violations = new ViolationLog();
  private readonly storedMarkers = new Set<string>();
  /**
   * The fingerprint taken after the previous request, when it was a rejected write: nothing ran since (requests are
   * sequential, the liveness probe only reads), so it is the next request's "before" and saves a query.
   */
  private lastFingerprint: Fingerprint | undefined;

  private constructor(
    private readonly port: number,
    private readonly client: KeepAliveClient,
    readonly world: FuzzWorld,
    readonly probe: LivenessProbe,
    /** For one-off probes alongside a request, on a connection of its own. */
    private readonly sideProbe: LivenessProbe,
    private readonly fingerprint: DbFingerprint,
    /** Its handlers write after the answer (a review's rating lands on its product): settled before a "before". */
    private readonly events: EventDispatcher,
    private readonly activity: Activity,
  ) {}

  static async start(testApp: TestApp, options: { victims?: number } = {}): Promise<FuzzHarness> {
    if (!testApp.url) throw new Error('the fuzz needs a listening app: bootTestApp(env, { listen: true })');
    const baseUrl = new URL(testApp.url);
    const activity: Activity = { current: 'setup' };
    const client = new KeepAliveClient(baseUrl, HTTP_TIMEOUT_MS);
    const world = await FuzzWorld.create(client, { victims: options.victims ?? 3 });
    const probe = new LivenessProbe(baseUrl, activity);
    probe.start();
    activity.current = 'idle';
    return new FuzzHarness(
      Number(baseUrl.port),
      client,
      world,
      probe,
      new LivenessProbe(baseUrl, activity),
      new DbFingerprint(testApp.app.get(DatabaseClient)),
      testApp.app.get(EventDispatcher),
      activity,
    );
  }

  async stop(): Promise<void> {
    await this.probe.stop();
    await this.sideProbe.stop();
    this.client.close();
  }

  /**
   * Sends one request (placeholders resolved against the world) and checks everything about it. With
   * `sideProbe`, a liveness probe due 20 ms after the request goes out on another connection.
   */
  async exchange(template: FuzzRequest, options: { run?: number; sideProbe?: boolean } = {}): Promise<Exchange> {
    if (await this.world.prepare(template)) this.lastFingerprint = undefined;
    const { request, used } = this.world.resolve(template);
    this.activity.current = options.run === undefined ? request.route : `${request.route} (run #${options.run})`;
    const before = isMutating(request) ? (this.lastFingerprint ?? (await this.settledFingerprint())) : undefined;
    this.lastFingerprint = undefined;
    const started = performance.now();
    const side = options.sideProbe ? this.probeSoon(20) : undefined;
    const { answers, end, reason } = await this.send(request);
    const sideSample = await side;

    const context = { sentMarkers: sentMarkersOf(request), storedMarkers: this.storedMarkers };
    const findings = answers.flatMap((answer) => checkAnswer(answer, context));
    if (end === 'no answer') findings.push({ invariant: 'HTTP request got no answer', detail: reason });
    if (end === 'failed') findings.push({ invariant: 'raw connection failed', detail: reason });
    if (end === 'timeout') {
      findings.push({
        invariant: `raw request neither answered nor closed within ${RAW_TIMEOUT_MS} ms`,
        detail: reason,
      });
    }
    if (before && !answers.some((answer) => answer.status < 300)) {
      const allowed: AllowedChanges = {
        growByOne: recordsIdempotentOutcome(request, answers) ? ['idempotency_keys.rows'] : [],
        grow: refusesReusedRefreshToken(request, answers) ? ['refresh_tokens.revoked'] : [],
      };
      const after = await this.fingerprint.take();
      const changes = fingerprintChanges(before, after, allowed);
      this.lastFingerprint = after;
      if (changes.length > 0) {
        findings.push({ invariant: 'rejected request changed the database', detail: changes.join('; ') });
      }
    }
    const first = answers[0];
    if (request.kind === 'http' && first) {
      this.world.observe(request, used, first);
      if (first.status < 300 && isMutating(request)) {
        for (const marker of markersIn(request.body?.text ?? '')) this.storedMarkers.add(marker);
      }
    }
    this.activity.current = 'idle';
    const probes = [...this.probe.samplesSince(started), ...(sideSample ? [sideSample] : [])];
    return { request, answers, end, reason, findings, probes };
  }

  /**
   * The database once the in-process event handlers of earlier requests are done: they write after their request
   * was answered (a posted review's rating lands on its product), which would look like the next request's doing.
   */
  private async settledFingerprint(): Promise<Fingerprint> {
    await this.events.idle();
    return this.fingerprint.take();
  }

  /**
   * Runs `runs` requests drawn by fast-check from `arbitrary` with `seed`, recording every broken invariant and
   * every slow liveness probe in {@link violations}.
   */
  async fuzz(arbitrary: fc.Arbitrary<FuzzRequest>, options: FuzzOptions): Promise<FuzzStats> {
    const stats = new FuzzStats();
    const started = performance.now();
    let run = 0;
    await fc.assert(
      fc.asyncProperty(arbitrary, async (template) => {
        run++;
        if (performance.now() - started > options.budgetMs) {
          stats.skipped++;
          return;
        }
        const exchange = await this.exchange(template, { run });
        stats.record(exchange);
        this.record(exchange, run);
      }),
      { seed: options.seed, numRuns: options.runs, endOnFailure: true },
    );
    stats.elapsedMs = performance.now() - started;
    if (stats.skipped > 0) {
      this.violations.add({
        invariant: 'fuzz did not finish within its time budget (the app is too slow under hostile input)',
        detail: `${stats.skipped} of ${options.runs} runs skipped after ${options.budgetMs} ms`,
        route: '(whole run)',
        outcome: 'budget',
        request: '-',
        response: '-',
      });
    }
    this.recordSlowProbes(this.probe.samplesSince(started));
    return stats;
  }

  /** Opens connections that stall on purpose; resolves once each was answered or closed, or gave up. */
  async stalledConnections(requests: readonly FuzzRequest[]): Promise<Exchange[]> {
    return Promise.all(
      requests.map(async (request) => {
        if (request.kind !== 'raw') throw new Error('stalled connections are raw requests');
        const outcome = await sendRaw(this.port, request, { timeoutMs: STALLED_TIMEOUT_MS });
        const context = {
          sentMarkers: sentMarkersOf(request),
          storedMarkers: new Set<string>(),
          timeBoundMs: Infinity,
        };
        const findings =
          outcome.end === 'timeout' ? [STALLED_FOREVER] : outcome.answers.flatMap((a) => checkAnswer(a, context));
        return { request, answers: outcome.answers, end: outcome.end, reason: '', findings, probes: [] };
      }),
    );
  }

  /** Adds an exchange's findings to {@link violations}. */
  record(exchange: Exchange, run?: number): void {
    for (const finding of exchange.findings) {
      this.violations.add({
        ...finding,
        route: exchange.request.route,
        outcome: outcomeOf(exchange),
        request: describeRequest(exchange.request),
        response: describeAnswer(exchange),
        run,
      });
    }
  }

  /** Adds every liveness sample that was slow or not 200 to {@link violations}, grouped by what ran meanwhile. */
  recordSlowProbes(samples: readonly ProbeSample[]): void {
    for (const sample of samples) {
      if (!isSlowOrFailed(sample)) continue;
      this.violations.add({
        invariant: `liveness probe not 200 within ${LIVENESS_BOUND_MS} ms`,
        detail: describeSample(sample),
        route: routeOf(sample.during),
        outcome: String(sample.status),
        request: 'GET /health/live (concurrent probe)',
        response: `${Math.round(sample.latencyMs)} ms`,
      });
    }
  }

  private probeSoon(delayMs: number): Promise<ProbeSample> {
    const due = performance.now() + delayMs;
    return new Promise((resolve) => setTimeout(() => resolve(this.sideProbe.probe(due)), delayMs));
  }

  private async send(request: FuzzRequest): Promise<{ answers: Answer[]; end: End; reason: string }> {
    if (request.kind === 'raw') {
      const outcome = await sendRaw(this.port, request, {
        timeoutMs: RAW_TIMEOUT_MS,
        halfCloseAfterMs: RAW_HALF_CLOSE_MS,
      });
      const reason =
        outcome.end === 'timeout'
          ? `after ${Math.round(outcome.durationMs)} ms; received: ${JSON.stringify(outcome.leftover)}`
          : (outcome.error ?? '');
      return { answers: outcome.answers, end: outcome.end, reason };
    }
    const outcome = await this.client.send(request);
    return outcome.kind === 'answered'
      ? { answers: [outcome.answer], end: 'answered', reason: '' }
      : { answers: [], end: 'no answer', reason: outcome.reason };
  }
}
