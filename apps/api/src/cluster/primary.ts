import cluster, { type Worker } from 'node:cluster';
import pino, { type Logger } from 'pino';
import { Counter, Gauge, Registry } from 'prom-client';
import { type AppConfig, rootLoggerOptions } from '@app/core';
import { WORKER_ENV } from './cluster-role';
import { isCollectResponse, isScrapeRequest } from './metrics-messages';
import { ClusterMetricsAggregator, type WorkerEndpoint } from './primary-metrics';
import { RestartPolicy } from './restart-policy';

/**
 * How much longer than SHUTDOWN_DRAIN_MS + SHUTDOWN_TIMEOUT_MS the primary waits for its workers: by then each
 * worker's own watchdog has ended it, so a worker still there is stuck (frozen, or ignoring signals).
 */
export const SHUTDOWN_MARGIN_MS = 2_000;
/** After killing stuck workers, how long the primary waits to see them go before it exits anyway. */
const KILL_GRACE_MS = 1_000;
const SIGNALS = ['SIGTERM', 'SIGINT'] as const;

interface Member {
  worker: Worker;
  /** The worker's server is listening (it has booted and serves). */
  listening: boolean;
  /** The primary killed it for outlasting the shutdown bound (already counted as a failure). */
  killed: boolean;
}

interface Stopping {
  /** The signal forwarded to the workers. */
  signal: NodeJS.Signals;
  /** Why the primary exits nonzero; empty for a clean shutdown. */
  failures: string[];
}

const nameOf = (worker: Worker): string => `worker ${worker.id} (pid ${worker.process.pid ?? '?'})`;

const endpoint = (worker: Worker): WorkerEndpoint => ({
  id: worker.id,
  pid: worker.process.pid,
  send: (message) =>
    new Promise<void>((resolve, reject) => {
      if (!worker.isConnected()) {
        reject(new Error(`${nameOf(worker)} is disconnected`));
        return;
      }
      worker.send(message, (error) => (error ? reject(error) : resolve()));
    }),
});

/**
 * The cluster primary (CLUSTER_WORKERS > 1). It never serves HTTP itself: it forks the workers, which share the
 * port (node:cluster hands each connection to one of them), replaces a worker that dies (see RestartPolicy),
 * answers the workers' metrics requests (see ClusterMetricsAggregator), and on SIGTERM or SIGINT forwards the
 * signal, so that every worker runs its own graceful shutdown (readiness 503, drain, close), and exits once
 * they have: 0 when all exited cleanly, 1 otherwise or when they outlast the bounded wait.
 */
export class ClusterPrimary {
  private readonly members = new Map<number, Member>();
  private readonly restartTimers = new Set<NodeJS.Timeout>();
  private readonly policy = new RestartPolicy();
  private readonly registry = new Registry();
  private readonly metrics = new ClusterMetricsAggregator(this.registry);
  private readonly restarts: Counter;
  private stopping: Stopping | undefined;
  private allListeningLogged = false;

  constructor(
    private readonly config: AppConfig,
    private readonly logger: Logger,
  ) {
    const serving = (): number => this.serving().length;
    new Gauge({
      name: 'cluster_workers',
      help: 'Cluster workers serving (listening), as the primary counts them',
      registers: [this.registry],
      collect() {
        this.set(serving());
      },
    });
    this.restarts = new Counter({
      name: 'cluster_worker_restarts_total',
      help: 'Cluster workers the primary replaced after they exited unexpectedly',
      registers: [this.registry],
    });
  }

  start(): void {
    const { clusterWorkers, http } = this.config;
    // Structured clone instead of JSON over IPC: metric values such as NaN and ±Infinity survive.
    cluster.setupPrimary({ serialization: 'advanced' });
    cluster.on('message', (worker, message: unknown) => this.onMessage(worker, message));
    cluster.on('exit', (worker, code, signal) => this.onExit(worker, code, signal as NodeJS.Signals | null));
    for (const signal of SIGNALS) process.on(signal, () => this.stop(signal));
    this.logger.info(
      `cluster primary (pid ${process.pid}): starting ${clusterWorkers} workers on ${http.host}:${http.port}`,
    );
    for (let i = 0; i < clusterWorkers; i++) this.fork();
  }

  private fork(): void {
    const worker = cluster.fork({ [WORKER_ENV]: '1' });
    const member: Member = { worker, listening: false, killed: false };
    this.members.set(worker.id, member);
    // Spawning or signalling failed; the 'exit' that follows (if any) is handled there.
    worker.on('error', (error) => this.logger.warn(`${nameOf(worker)}: ${error.message}`));
    worker.once('listening', () => this.onListening(member));
    this.logger.info({ worker: worker.id, workerPid: worker.process.pid }, `starting ${nameOf(worker)}`);
  }

  private serving(): Worker[] {
    return [...this.members.values()]
      .filter((member) => member.listening && member.worker.isConnected())
      .map((member) => member.worker);
  }

  private onListening(member: Member): void {
    member.listening = true;
    this.policy.listening();
    this.logger.info(
      { worker: member.worker.id, workerPid: member.worker.process.pid },
      `${nameOf(member.worker)} listening`,
    );
    const serving = this.serving().length;
    if (!this.allListeningLogged && serving === this.config.clusterWorkers) {
      this.allListeningLogged = true;
      this.logger.info(`all ${serving} workers are listening`);
    }
  }

  private onMessage(worker: Worker, message: unknown): void {
    if (isScrapeRequest(message)) {
      void this.metrics.answer(endpoint(worker), message, this.serving().map(endpoint));
    } else if (isCollectResponse(message)) {
      this.metrics.received(worker.id, message);
    }
  }

  private onExit(worker: Worker, code: number | null, signal: NodeJS.Signals | null): void {
    const member = this.members.get(worker.id);
    if (!member) return;
    this.members.delete(worker.id);
    this.metrics.workerGone(worker.id);
    const how = signal ? `signal ${signal}` : `code ${code}`;

    if (this.stopping) {
      // A worker still booting has no shutdown hooks yet: the forwarded signal ends it, with nothing to drain.
      const clean = code === 0 || (!member.listening && signal === this.stopping.signal);
      if (clean || member.killed) this.logger.info(`${nameOf(worker)} exited (${how})`);
      else {
        const failure = `${nameOf(worker)} exited with ${how} during shutdown`;
        this.stopping.failures.push(failure);
        this.logger.error(failure);
      }
      if (this.members.size === 0) this.finish();
      return;
    }

    const when = member.listening ? '' : ' before listening';
    this.logger.error(
      { worker: worker.id, workerPid: worker.process.pid, code, signal },
      `${nameOf(worker)} exited unexpectedly${when} (${how})`,
    );
    const decision = this.policy.exited(member.listening);
    if (!decision.restart) {
      this.logger.fatal(`giving up: ${decision.reason}; stopping the cluster`);
      this.stop('SIGTERM', `giving up: ${decision.reason}`);
      return;
    }
    this.logger.warn(`starting a replacement in ${decision.delayMs} ms`);
    const timer = setTimeout(() => {
      this.restartTimers.delete(timer);
      if (this.stopping) return;
      this.restarts.inc();
      this.fork();
    }, decision.delayMs);
    this.restartTimers.add(timer);
  }

  /** Forwards `signal` to every worker and exits once they all have (or kills them when they outlast the bound). */
  private stop(signal: NodeJS.Signals, failure?: string): void {
    if (this.stopping) {
      this.logger.warn(`${signal} received: already shutting down`);
      return;
    }
    this.stopping = { signal, failures: failure ? [failure] : [] };
    for (const timer of this.restartTimers) clearTimeout(timer);
    this.restartTimers.clear();

    const { drainMs, timeoutMs } = this.config.shutdown;
    const boundMs = drainMs + timeoutMs + SHUTDOWN_MARGIN_MS;
    this.logger.info(
      `${failure ? 'stopping' : `${signal} received`}: forwarding ${signal} to ${this.members.size} workers ` +
        `(each drains for ${drainMs} ms; all must exit within ${boundMs} ms)`,
    );
    for (const { worker } of this.members.values()) this.signal(worker, signal);
    if (this.members.size === 0) {
      this.finish();
      return;
    }

    setTimeout(() => {
      const stuck = [...this.members.values()];
      if (stuck.length === 0) return;
      const failureText = `${stuck.map((m) => nameOf(m.worker)).join(', ')} still running ${boundMs} ms after ${signal}: killed`;
      this.stopping?.failures.push(failureText);
      this.logger.error(failureText);
      for (const member of stuck) {
        member.killed = true;
        this.signal(member.worker, 'SIGKILL');
      }
      // Normally their exits end the primary at once; this only bounds a process the kernel is slow to reap.
      setTimeout(() => this.finish(), KILL_GRACE_MS);
    }, boundMs);
  }

  private signal(worker: Worker, signal: NodeJS.Signals): void {
    try {
      // The process, not worker.kill(): that would first disconnect the worker, closing its server before the drain.
      worker.process.kill(signal);
    } catch (error) {
      this.logger.warn(`could not send ${signal} to ${nameOf(worker)}: ${(error as Error).message}`);
    }
  }

  private finish(): never {
    const failures = this.stopping?.failures ?? [];
    const code = failures.length === 0 ? 0 : 1;
    if (code === 0) this.logger.info('every worker exited cleanly; exiting 0');
    else this.logger.error(`exiting 1: ${failures.join('; ')}`);
    process.exit(code);
  }
}

/** Runs this process as the cluster primary: it forks `config.clusterWorkers` workers and supervises them. */
export function runPrimary(config: AppConfig): void {
  if (cluster.isWorker) {
    // A worker of another cluster manager (pm2 cluster mode…): cluster.fork() does not exist here.
    throw new Error(
      'CLUSTER_WORKERS > 1 cannot run inside a worker of another cluster manager (such as pm2 cluster mode): set CLUSTER_WORKERS=1 there',
    );
  }
  const options = rootLoggerOptions(config);
  // The app's log format, written synchronously (the primary logs little): nothing is lost or reordered when it exits.
  const root = options.transport ? pino(options) : pino(options, pino.destination({ dest: 1, sync: true }));
  const logger = root.child({ context: 'ClusterPrimary' });
  new ClusterPrimary(config, logger).start();
}
