// `npm run bench`: the built API against hand-written baselines, each server its own process. See README.md.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, release, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { markdown, writeJson } from './lib/report.mjs';
import { startServer } from './lib/processes.mjs';
import { meets, runAb } from './lib/rounds.mjs';
import { ApiClient, newPassword } from './lib/seed.mjs';
import { createNatsPrefix } from './lib/nats.mjs';
import { createDatabase, createPgliteDir, createRedisPrefix } from './lib/services.mjs';
import {
  apiEnvironment,
  baselinesDir,
  builtApiDir,
  builtWorkerDir,
  hasWrk,
  repoRoot,
  settings,
} from './lib/settings.mjs';
import {
  abScenarios,
  clusterScenario,
  coldStartAndMemory,
  compressionScenario,
  hostileBodies,
  invoiceRendering,
  loginStorm,
  mixedLoad,
} from './scenarios.mjs';

const t0 = performance.now();
const log = (message) => process.stderr.write(`[bench ${((performance.now() - t0) / 1000).toFixed(0)}s] ${message}\n`);
const mainJs = join(builtApiDir, 'main.js');
const workerJs = join(builtWorkerDir, 'main.js');
/** BENCH_ONLY=S13 (or S2,S13…): only these scenarios, after the same servers and seeding. */
const only = process.env.BENCH_ONLY?.split(',').map((id) => id.trim().toUpperCase());
const wanted = (id) => !only || only.includes(id);

const secret = randomBytes(48).toString('base64url');
const admin = { email: `admin-${randomBytes(4).toString('hex')}@bench.example.com`, password: newPassword() };
const apiEnv = apiEnvironment({ jwtSecret: secret, admin });

/** Undone in reverse order whatever happens: servers, database, Redis keys, temporary files. */
const cleanups = [];
const scratch = mkdtempSync(join(tmpdir(), 'bench-run-'));
cleanups.push(() => rmSync(scratch, { recursive: true, force: true }));

async function start(name, script, env, readyPath) {
  const server = await startServer({ name, script, env, cpu: settings.serverCpu, readyPath });
  cleanups.push(() => server.stop());
  return server;
}

/** Users, products and orders of the PostgreSQL app, created over HTTP. */
async function seedPostgres(api) {
  const client = new ApiClient(api.base);
  const adminToken = await client.login(admin.email, admin.password);
  const [readProduct] = await client.products(adminToken, 1, 'READ', 1000);
  const writeProducts = await client.products(adminToken, 20, 'WRITE', 10_000_000);
  const mixProducts = await client.products(adminToken, 50, 'MIX', 10_000_000);
  const [product, reader, writer, idempotentWriter, hostile] = await client.users(5, 'user');
  const mixUsers = await client.users(settings.mixUsers, 'mix');
  const ids = writeProducts.map((p) => p.id);
  const listOrders = await client.orders(
    reader.token,
    Array.from({ length: settings.listOrders }, (_, i) => [ids[i % ids.length], ids[(i + 1) % ids.length]]),
  );
  for (const [i, user] of mixUsers.entries()) {
    [user.order] = await client.orders(user.token, [[mixProducts[i % mixProducts.length].id]]);
  }
  return {
    readProduct,
    writeProductIds: ids,
    mixProductIds: mixProducts.map((p) => p.id),
    users: { product, reader, writer, idempotentWriter, hostile },
    mixUsers,
    stormUsers: mixUsers.slice(0, settings.stormConnections),
    listOrders,
  };
}

/** The same reads on the PGlite app (S6). */
async function seedPglite(api) {
  const client = new ApiClient(api.base);
  const adminToken = await client.login(admin.email, admin.password);
  const [readProduct, orderProduct] = await client.products(adminToken, 2, 'READ', 1000);
  const [product, reader] = await client.users(2, 'user');
  const [order] = await client.orders(reader.token, [[orderProduct.id, readProduct.id]]);
  return { readProduct, users: { product, reader }, order };
}

/** B3's Map: the API's own answers to the reads B3 serves. */
async function writeB3Fixture(api, pg) {
  const client = new ApiClient(api.base);
  const { product, reader } = pg.users;
  const ok = async (promise) => {
    const res = await promise;
    if (res.status !== 200) throw new Error(`fixture read answered ${res.status}`);
    return res.json;
  };
  const fixture = {
    products: [await ok(client.get(`/v1/products/${pg.readProduct.id}`, product.token))],
    orders: await Promise.all(pg.listOrders.map((o) => ok(client.get(`/v1/orders/${o.id}`, reader.token)))),
    pages: [{ userId: reader.id, limit: 20, page: await ok(client.get('/v1/orders?limit=20', reader.token)) }],
  };
  const file = join(scratch, 'b3-fixture.json');
  writeFileSync(file, JSON.stringify(fixture));
  return file;
}

/** What was measured: the commit, and how many files under apps/ and libs/ differed from it (read-only git). */
function source() {
  const git = (...args) => spawnSync('git', args, { cwd: repoRoot, encoding: 'utf8' });
  const commit = git('rev-parse', '--short', 'HEAD');
  if (commit.status !== 0) return { commit: 'unknown' };
  const changed = git('status', '--porcelain', '--', 'apps', 'libs').stdout.split('\n').filter(Boolean).length;
  return { commit: commit.stdout.trim(), uncommittedAppFiles: changed };
}

function machine(loadAtStart) {
  return {
    cpus: availableParallelism(),
    cpuModel: cpus()[0]?.model ?? 'unknown',
    memoryGiB: Number((totalmem() / 2 ** 30).toFixed(1)),
    node: process.version,
    kernel: release(),
    /** 1-minute load average before and after the run: other work on the machine skews every number. */
    loadAverage: { start: loadAtStart, end: loadavg()[0] },
    pinning:
      settings.serverCpu === undefined
        ? 'no CPU pinning (taskset missing or one core)'
        : `servers on CPU ${settings.serverCpu}, wrk and probes on CPU ${settings.loadCpu}`,
  };
}

async function main() {
  const started = Date.now();
  const loadAtStart = loadavg()[0];
  const measured = source();
  log(`mode ${settings.mode}; results → ${settings.output}`);
  if (loadAtStart > 0.5)
    log(`warning: the machine is busy (load average ${loadAtStart.toFixed(2)}): numbers will be noisy`);

  const database = await createDatabase(settings.databaseUrl);
  cleanups.push(() => database.drop());
  const redis = await createRedisPrefix(settings.redisUrl);
  cleanups.push(() => redis.cleanup());
  const pglite = await createPgliteDir();
  cleanups.push(() => pglite.remove());
  log(`database ${database.name}, Redis prefix ${redis.prefix}, PGlite ${pglite.dir}`);

  // The APIs start one at a time, on an otherwise idle server CPU (S8).
  const pgEnv = { ...apiEnv, DATABASE_URL: database.url, REDIS_URL: redis.url, REDIS_KEY_PREFIX: redis.prefix };
  const servers = {};
  servers.api = await start('api', mainJs, pgEnv, '/health/ready');
  servers.apiLite = await start('api-pglite', mainJs, { ...apiEnv, DATA_DIR: pglite.dir }, '/health/ready');
  const memory = {
    pg: { readyMs: servers.api.readyMs, rssReady: servers.api.rssMb() },
    lite: { readyMs: servers.apiLite.readyMs, rssReady: servers.apiLite.rssMb() },
  };

  log('seeding over HTTP');
  const [pg, lite] = await Promise.all([seedPostgres(servers.api), seedPglite(servers.apiLite)]);
  const liveBody = await (await fetch(`${servers.api.base}/health/live`)).text();
  const baselineEnv = { NODE_ENV: 'production', JWT_SECRET: secret, DATABASE_URL: database.url, LIVE_BODY: liveBody };
  const baseline = (file, extra = {}) => start(file, join(baselinesDir, `${file}.mjs`), { ...baselineEnv, ...extra });
  [servers.b1, servers.b2, servers.b3, servers.b4, servers.b5] = await Promise.all([
    baseline('b1-health'),
    baseline('b2-pg-read'),
    baseline('b3-map', { B3_FIXTURE: await writeB3Fixture(servers.api, pg) }),
    baseline('b4-order-tx'),
    baseline('b5-nest-express'),
  ]);

  const ctx = { servers, pg, lite };
  const scenarios = [];
  for (const scenario of abScenarios(ctx).filter((s) => wanted(s.id))) {
    log(`${scenario.id} ${scenario.title}`);
    scenarios.push(await runAb(scenario, settings));
    if (scenario.id === 'S2') {
      memory.pg.rssAfterS2 = servers.api.rssMb();
      memory.lite.rssAfterS2 = servers.apiLite.rssMb();
    }
  }
  const measurements = wanted('S8') ? coldStartAndMemory(memory) : [];
  if (wanted('S7')) {
    log('S7 login storm');
    measurements.push(...(await loginStorm(ctx, settings)));
  }
  if (wanted('S9')) {
    log('S9 mixed load');
    measurements.push(...(await mixedLoad(ctx, settings)));
  }
  if (wanted('S11')) {
    log('S11 hostile bodies');
    measurements.push(...(await hostileBodies(ctx, settings)));
  }
  const startPinnedApi = (name, extra) => start(name, mainJs, { ...pgEnv, ...extra }, '/health/ready');
  if (wanted('S12')) {
    log('S12 response compression');
    const compression = await compressionScenario(ctx, settings, startPinnedApi);
    scenarios.push(...compression.scenarios);
    measurements.push(...compression.measurements);
  }
  if (wanted('S13')) await invoices(ctx, measurements, { database, pgEnv, startPinnedApi });
  if (wanted('S10')) {
    log('S10 cluster mode');
    const startUnpinnedApi = (name, extra) =>
      startServer({ name, script: mainJs, env: { ...pgEnv, ...extra }, readyPath: '/health/ready' });
    scenarios.push(await clusterScenario(ctx, settings, startUnpinnedApi));
  }
  for (const m of measurements) m.met = meets(m.value, m.target);

  const result = {
    mode: settings.mode,
    startedAt: new Date(started).toISOString(),
    durationSeconds: (Date.now() - started) / 1000,
    source: measured,
    machine: machine(loadAtStart),
    method: {
      rounds: settings.rounds,
      seconds: settings.seconds,
      warmupSeconds: settings.warmupSeconds,
      connections: settings.connections,
      threads: settings.threads,
    },
    scenarios,
    measurements,
  };
  await writeJson(settings.output, result);
  process.stdout.write(`${markdown(result)}\n`);
  log(`done in ${result.durationSeconds.toFixed(0)} s; wrote ${settings.output}`);
}

/** S13: the worker beside an API relaying to NATS, on this run's own subject prefix (streams deleted at the end). */
async function invoices(ctx, measurements, { database, pgEnv, startPinnedApi }) {
  log('S13 invoice PDFs in the worker');
  const nats = await createNatsPrefix(settings.natsUrl);
  if (nats.skipped) log(`S13 skipped: ${nats.skipped}`);
  else cleanups.push(() => nats.cleanup());
  measurements.push(
    ...(await invoiceRendering(ctx, settings, {
      nats,
      databaseUrl: database.url,
      adminToken: (client) => client.login(admin.email, admin.password),
      startApi: startPinnedApi,
      // The worker on the load CPU: another pod in production (see scenarios.mjs, S13).
      startWorker: (name, extra) =>
        startServer({
          name,
          script: workerJs,
          env: { ...pgEnv, ...extra },
          cpu: settings.loadCpu,
          readyPath: '/health/ready',
          portVariable: 'WORKER_PORT',
        }),
    })),
  );
}

if (!hasWrk()) {
  log('wrk is not installed: install it with `apt-get install wrk` (Debian/Ubuntu; `brew install wrk` on macOS).');
  process.exit(2);
}
if (!existsSync(mainJs)) {
  log(`${mainJs} is missing: run "npm run build" first (npm run bench does).`);
  process.exit(2);
}
let failed = false;
try {
  await main();
} catch (error) {
  failed = true;
  log(`failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
} finally {
  for (const cleanup of cleanups.reverse()) {
    await Promise.resolve()
      .then(cleanup)
      .catch((error) => log(`cleanup: ${error.message}`));
  }
}
process.exit(failed ? 1 : 0);
