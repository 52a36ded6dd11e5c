import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { PgliteTemplate } from '../support/pglite-template';
import { adminWithProduct, type RunningProcess, startBuiltApi, waitForStatus } from '../support/processes';

/**
 * SIGTERM under load, against the built app as a real process (embedded PGlite: no server needed). Kubernetes keeps routing
 * to the pod until its endpoints update, so during SHUTDOWN_DRAIN_MS readiness must be 503 while every normal request still
 * succeeds; then the server closes and the process exits 0.
 */

const ADMIN = { email: 'shutdown-admin@example.test', password: 'Shutdown-Admin-Pass-5518' };
const DRAIN_MS = 1_500;
const LOAD_MAX_MS = 4_000;
const SIGTERM_AFTER_MS = 800;
const WORKERS = 8;
const MAX_REQUESTS_PER_WORKER = 500;
/** Requests sent this close to the end of the drain may race the server's close: they are not counted either way. */
const RACE_MARGIN_MS = 100;

interface Sample {
  kind: 'live' | 'products' | 'ready';
  startedAt: number;
  endedAt: number;
  status?: number;
  error?: string;
}

describe('SIGTERM under load (built app, embedded PGlite)', () => {
  let proc: RunningProcess;
  let base: string;
  let token: string;
  let cleanup: (() => void) | undefined;

  beforeAll(async () => {
    const clone = PgliteTemplate.clone(inject('pgliteTemplateDir'));
    cleanup = clone.cleanup;
    ({ proc, base } = await startBuiltApi({
      DATA_DIR: clone.dataDir,
      LOG_LEVEL: 'warn',
      ADMIN_EMAIL: ADMIN.email,
      ADMIN_PASSWORD: ADMIN.password,
      RATE_LIMIT_PER_MINUTE: '100000',
      SHUTDOWN_DRAIN_MS: String(DRAIN_MS),
      SHUTDOWN_TIMEOUT_MS: '5000',
    }));
    await waitForStatus(`${base}/health/ready`, 200, 20_000);
    token = await adminWithProduct(base, ADMIN, {
      sku: 'DRAIN-1',
      name: 'Drain product',
      priceCents: 990,
      currency: 'EUR',
      stock: 3,
    });
  });

  afterAll(async () => {
    if (proc && proc.child.exitCode === null && proc.child.signalCode === null) {
      proc.child.kill('SIGKILL');
      await proc.exited;
    }
    cleanup?.();
  });

  it('readiness 503 at once, every request of the drain succeeds, liveness 200, then exit 0', async () => {
    const samples: Sample[] = [];
    const loadStart = Date.now();
    let stop = false;

    const request = async (kind: Sample['kind']): Promise<void> => {
      const path = kind === 'products' ? '/v1/products' : `/health/${kind}`;
      const sample: Sample = { kind, startedAt: Date.now(), endedAt: 0 };
      try {
        const res = await fetch(`${base}${path}`, {
          headers: kind === 'products' ? { authorization: `Bearer ${token}` } : {},
          signal: AbortSignal.timeout(5_000),
        });
        await res.arrayBuffer();
        sample.status = res.status;
      } catch (error) {
        const cause = (error as { cause?: { code?: string } }).cause;
        sample.error = cause?.code ?? (error as Error).name ?? String(error);
      }
      sample.endedAt = Date.now();
      samples.push(sample);
    };

    const worker = async (index: number): Promise<void> => {
      for (let i = 0; i < MAX_REQUESTS_PER_WORKER && !stop && Date.now() - loadStart < LOAD_MAX_MS; i++) {
        await request((i + index) % 2 === 0 ? 'live' : 'products');
      }
    };
    const readinessPoller = async (): Promise<void> => {
      for (let i = 0; i < 200 && !stop && Date.now() - loadStart < LOAD_MAX_MS; i++) {
        await request('ready');
        await new Promise((r) => setTimeout(r, 50));
      }
    };

    const load = Promise.all([...Array.from({ length: WORKERS }, (_, i) => worker(i)), readinessPoller()]);
    await new Promise((r) => setTimeout(r, SIGTERM_AFTER_MS));
    const sigtermAt = Date.now();
    proc.child.kill('SIGTERM');
    const exit = await Promise.race([
      proc.exited,
      new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), DRAIN_MS + 5_000)),
    ]);
    const exitedAfterMs = Date.now() - sigtermAt;
    stop = true;
    await load;

    const logs = `\n--- app stdout ---\n${proc.stdout().slice(-3000)}\n--- app stderr ---\n${proc.stderr().slice(-3000)}`;
    const drainEnd = sigtermAt + DRAIN_MS;
    const firstNotReady = samples
      .filter((s) => s.kind === 'ready' && s.status === 503)
      .sort((a, b) => a.startedAt - b.startedAt)[0];

    // Before SIGTERM: the load was served and the pod was ready.
    const before = samples.filter((s) => s.endedAt < sigtermAt);
    expect(before.filter((s) => s.kind === 'products').length).toBeGreaterThan(0);
    expect(
      before.every((s) => s.status === 200),
      JSON.stringify(before.filter((s) => s.status !== 200)),
    ).toBe(true);

    // Readiness went 503 at once (well within the drain) and stayed 503 until the drain ended.
    expect(firstNotReady, `readiness never answered 503${logs}`).toBeDefined();
    expect(firstNotReady!.endedAt - sigtermAt).toBeLessThan(1_000);
    const readyDuringDrain = samples.filter(
      (s) => s.kind === 'ready' && s.startedAt > firstNotReady!.endedAt && s.startedAt < drainEnd - RACE_MARGIN_MS,
    );
    expect(readyDuringDrain.length).toBeGreaterThan(0);
    expect(readyDuringDrain.map((s) => s.status)).toEqual(readyDuringDrain.map(() => 503));

    // Every normal request sent before the drain ended succeeded: zero failures, liveness included.
    const counted = samples.filter((s) => s.kind !== 'ready' && s.startedAt < drainEnd - RACE_MARGIN_MS);
    const duringDrain = counted.filter((s) => s.startedAt >= sigtermAt);
    expect(duringDrain.filter((s) => s.kind === 'live').length).toBeGreaterThan(0);
    expect(duringDrain.filter((s) => s.kind === 'products').length).toBeGreaterThan(0);
    const failed = counted.filter((s) => s.status !== 200);
    expect(failed, `${failed.length} of ${counted.length} requests failed${logs}`).toEqual([]);

    // Then the process exited 0, within the drain plus a few seconds.
    expect(exit, `no exit within ${DRAIN_MS + 5_000} ms of SIGTERM${logs}`).not.toBe('timeout');
    expect(exit).toEqual({ code: 0, signal: null });
    expect(exitedAfterMs).toBeGreaterThanOrEqual(DRAIN_MS - 50);
    expect(exitedAfterMs).toBeLessThan(DRAIN_MS + 5_000);
  });
});
