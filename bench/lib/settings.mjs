// Run modes and paths. BENCH_SMOKE=1: every scenario for about a second (CI); BENCH_QUICK=1: ≤ 2 min;
// default: the full run (≤ 10 min on 2 cores).
import { spawnSync } from 'node:child_process';
import { availableParallelism, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const benchDir = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const repoRoot = resolve(benchDir, '..');
export const builtApiDir = join(repoRoot, 'dist', 'apps', 'api', 'src');
export const builtWorkerDir = join(repoRoot, 'dist', 'apps', 'worker', 'src');
export const baselinesDir = join(benchDir, 'baselines');
export const toolsDir = join(benchDir, 'tools');

const smoke = process.env.BENCH_SMOKE === '1';
const quick = !smoke && process.env.BENCH_QUICK === '1';
const mode = smoke ? 'smoke' : quick ? 'quick' : 'full';

/** Durations in whole seconds (wrk's `-d` takes no fractions). */
const MODES = {
  full: { rounds: 3, seconds: 8, warmupSeconds: 2, stormSeconds: 10, mixSeconds: 10, hostileSeconds: 10, mixUsers: 50 },
  quick: { rounds: 2, seconds: 2, warmupSeconds: 1, stormSeconds: 3, mixSeconds: 3, hostileSeconds: 3, mixUsers: 50 },
  smoke: { rounds: 1, seconds: 1, warmupSeconds: 0, stormSeconds: 1, mixSeconds: 1, hostileSeconds: 1, mixUsers: 5 },
};

/** S13: orders paid at once, each one invoice to render. */
const INVOICE_MODES = { full: { orders: 50 }, quick: { orders: 50 }, smoke: { orders: 10 } };

/**
 * S12's two A/B runs (compression on vs off), shorter than the other scenarios' so that S12 stays under a minute
 * in a full run: S2, which has a target, in more short rounds after a longer warm-up (both servers are fresh:
 * with 1 s of warm-up their first rounds differed by up to 20% either way); S4, reported only, in two.
 */
const COMPRESSION_MODES = {
  full: { small: { rounds: 6, seconds: 3, warmupSeconds: 4 }, large: { rounds: 2, seconds: 2, warmupSeconds: 1 } },
  quick: { small: { rounds: 2, seconds: 2, warmupSeconds: 1 }, large: { rounds: 1, seconds: 2, warmupSeconds: 0 } },
  smoke: { small: { rounds: 1, seconds: 1, warmupSeconds: 0 }, large: { rounds: 1, seconds: 1, warmupSeconds: 0 } },
};

const hasCommand = (command) => spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0;
const pinning = hasCommand('taskset') && availableParallelism() >= 2;

export const settings = {
  mode,
  ...MODES[mode],
  compression: COMPRESSION_MODES[mode],
  connections: 50,
  threads: 1,
  /** Concurrent logins of S7. */
  stormConnections: 20,
  /** Orders of the S4 user: one full page of 20. */
  listOrders: 20,
  /** Server on CPU 0, load generator and probes on CPU 1, when `taskset` exists and there are two cores. */
  serverCpu: pinning ? '0' : undefined,
  loadCpu: pinning ? '1' : undefined,
  databaseUrl: process.env.BENCH_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres',
  redisUrl: process.env.BENCH_REDIS_URL || 'redis://127.0.0.1:6379',
  /** S13's NATS (JetStream): the API relays to it and the worker consumes it; S13 is skipped when none answers. */
  natsUrl: process.env.BENCH_NATS_URL || 'nats://127.0.0.1:4222',
  invoices: INVOICE_MODES[mode],
  /** Only a full run replaces the committed results; quick and smoke runs write to the temporary directory. */
  output:
    process.env.BENCH_OUTPUT ||
    (mode === 'full' ? join(benchDir, 'results', 'latest.json') : join(tmpdir(), `bench-${mode}-latest.json`)),
};

export const hasWrk = () => hasCommand('wrk');

/** The API's environment in every bench run: production settings, limits raised so that nothing is rate limited,
 * no drain on SIGTERM. */
export const apiEnvironment = ({ jwtSecret, admin }) => ({
  NODE_ENV: 'production',
  LOG_LEVEL: 'warn',
  JWT_SECRET: jwtSecret,
  METRICS_PUBLIC: 'true',
  RATE_LIMIT_PER_MINUTE: '1000000',
  RATE_LIMIT_AUTH_PER_MINUTE: '100000',
  ADMIN_EMAIL: admin.email,
  ADMIN_PASSWORD: admin.password,
  SHUTDOWN_DRAIN_MS: '0',
});
