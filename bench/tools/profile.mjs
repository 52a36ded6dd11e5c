// `npm run bench:profile -- <scenario> [seconds] [postgres|pglite]`: a CPU profile of the built API under one bench scenario.
// Starts the API with `--cpu-prof` on a fresh database and Redis prefix (the bench's own setup), drives the
// scenario with wrk, stops the API and prints where the time went: self time by package and the hottest
// functions. The .cpuprofile file is kept (open it in Chrome DevTools or speedscope) and its path printed.
// Scenarios: s1 (liveness), s2 (cached product read), s3 (cached own order), s4 (cached order page),
// s5 (order creation), s5i (order creation with Idempotency-Key). With PROFILE_STREAMS=n, n of the user's live order
// event streams stay open meanwhile.
import { randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { startServer } from '../lib/processes.mjs';
import { ApiClient, newPassword } from '../lib/seed.mjs';
import { createDatabase, createPgliteDir, createRedisPrefix } from '../lib/services.mjs';
import { apiEnvironment, builtApiDir, repoRoot, settings } from '../lib/settings.mjs';
import { runWrk, staticRequest } from '../lib/wrk.mjs';
import { ordersScript } from '../scenarios.mjs';

const [scenario = 's2', secondsArg = '10', tier = 'postgres'] = process.argv.slice(2);
const seconds = Number(secondsArg);
const databaseUrl = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const redisUrl = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
const profileDir = join(tmpdir(), `bench-profile-${scenario}-${randomBytes(3).toString('hex')}`);
mkdirSync(profileDir, { recursive: true });

const admin = { email: `admin-${randomBytes(4).toString('hex')}@bench.example.com`, password: newPassword() };
const cleanups = [];

async function main() {
  /** PostgreSQL + Redis, or the embedded default (PGlite, in-memory cache and limits). */
  let storage;
  if (tier === 'pglite') {
    const lite = await createPgliteDir();
    cleanups.push(async () => lite.remove());
    storage = { DATA_DIR: lite.dir };
  } else {
    const database = await createDatabase(databaseUrl);
    cleanups.push(() => database.drop());
    const redis = await createRedisPrefix(redisUrl);
    cleanups.push(() => redis.cleanup());
    storage = { DATABASE_URL: database.url, REDIS_URL: redis.url, REDIS_KEY_PREFIX: redis.prefix };
  }
  const api = await startServer({
    name: 'api-profile',
    script: join(builtApiDir, 'main.js'),
    cpu: settings.serverCpu,
    env: { ...apiEnvironment({ jwtSecret: randomBytes(48).toString('base64url'), admin }), ...storage },
    nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${profileDir}`],
  });
  cleanups.push(() => api.stop());

  const client = new ApiClient(api.base);
  const adminToken = await client.login(admin.email, admin.password);
  const products = await client.products(adminToken, 20, 'PROFILE', 10_000_000);
  const [user] = await client.users(1, 'profile');
  const placed = await client.orders(
    user.token,
    Array.from({ length: 20 }, (_, i) => [products[i].id, products[(i + 1) % 20].id]),
  );
  const auth = { authorization: `Bearer ${user.token}` };
  const productIds = products.map((p) => p.id);
  const scripts = {
    s1: () => staticRequest({ path: '/health/live' }),
    s2: () => staticRequest({ path: `/v1/products/${products[0].id}`, headers: auth }),
    s3: () => staticRequest({ path: `/v1/orders/${placed[0].id}`, headers: auth }),
    s4: () => staticRequest({ path: '/v1/orders?limit=20', headers: auth }),
    // As the bench's S5: one line, rotating over the 20 products.
    s5: () => ordersScript(user.token, productIds, false),
    s5i: () => ordersScript(user.token, productIds, true),
  };
  const script = scripts[scenario];
  if (script === undefined) throw new Error(`unknown scenario ${scenario}; one of ${Object.keys(scripts).join(', ')}`);
  const streams = await openStreams(api.base, auth, Number(process.env.PROFILE_STREAMS ?? 0));
  const result = await runWrk({ base: api.base, script: script(), seconds, connections: 50, cpu: settings.loadCpu });
  process.stderr.write(`${scenario}: ${JSON.stringify(result)}\n`);
  if (streams.length > 0) {
    const events = streams.map((stream) => stream.close());
    process.stderr.write(
      `${streams.length} order event stream(s) open meanwhile; events each got: ${events.join(', ')}\n`,
    );
  }
  const output = api.output().trim().split('\n');
  if (output.length > 1 || output[0]) {
    process.stderr.write(
      `the API wrote ${output.length} lines (last 3 below); logging costs CPU too\n${output.slice(-3).join('\n')}\n`,
    );
  }
  await api.stop();
  cleanups.pop();
  report(findProfile());
}

/**
 * `PROFILE_STREAMS=n`: n live order event streams (`GET /v1/orders/events`) of the scenario's user stay open while
 * the load runs, so the profile includes handing each new order's event to them. Returns their closers, which say
 * how many events each stream got.
 */
async function openStreams(base, headers, count) {
  return Promise.all(
    Array.from({ length: count }, async () => {
      const abort = new AbortController();
      const response = await fetch(`${base}/v1/orders/events`, { headers, signal: abort.signal });
      if (response.status !== 200) throw new Error(`GET /v1/orders/events answered ${response.status}`);
      let events = 0;
      const decoder = new TextDecoder();
      void (async () => {
        for await (const chunk of response.body) events += decoder.decode(chunk).split('\nevent: ').length - 1;
      })().catch(() => undefined);
      return {
        close: () => {
          abort.abort();
          return events;
        },
      };
    }),
  );
}

function findProfile() {
  const file = readdirSync(profileDir).find((name) => name.endsWith('.cpuprofile'));
  if (file === undefined) throw new Error(`no .cpuprofile in ${profileDir}`);
  return join(profileDir, file);
}

/** Self time by package (or by part of this repo) and the 25 hottest functions. */
function report(file) {
  const profile = JSON.parse(readFileSync(file, 'utf8'));
  const deltas = profile.timeDeltas;
  const selfUs = new Map();
  for (let i = 0; i < profile.samples.length; i++) {
    selfUs.set(profile.samples[i], (selfUs.get(profile.samples[i]) ?? 0) + (deltas[i] ?? 0));
  }
  const byPackage = new Map();
  const byFunction = new Map();
  let total = 0;
  for (const node of profile.nodes) {
    const us = selfUs.get(node.id) ?? 0;
    total += us;
    const { url, functionName, lineNumber } = node.callFrame;
    const where = origin(url, functionName);
    byPackage.set(where, (byPackage.get(where) ?? 0) + us);
    const key = `${functionName || '(anonymous)'} ${url ? `${shortUrl(url)}:${lineNumber + 1}` : ''}`.trim();
    byFunction.set(key, (byFunction.get(key) ?? 0) + us);
  }
  const table = (title, map, rows) => {
    process.stdout.write(`\n| ${title} | self % |\n|---|---|\n`);
    for (const [name, us] of [...map].sort((a, b) => b[1] - a[1]).slice(0, rows)) {
      process.stdout.write(`| ${name} | ${((100 * us) / total).toFixed(1)} |\n`);
    }
  };
  process.stdout.write(`profile: ${file} (${(total / 1e6).toFixed(1)} s sampled)\n`);
  table('where', byPackage, 20);
  table('function', byFunction, 25);
}

function origin(url, functionName) {
  if (!url) return functionName.startsWith('(') ? functionName : '(native)';
  const modules = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (modules) return modules[1];
  if (url.startsWith('node:')) return 'node core';
  const path = url.replace(/^file:\/\//, '');
  const ours = /dist\/(?:apps|libs)\/([^/]+)/.exec(path);
  return ours ? `app: ${ours[1]}` : relative(repoRoot, path);
}

function shortUrl(url) {
  return url
    .replace(/^file:\/\//, '')
    .replace(/.*node_modules\//, '')
    .replace(`${repoRoot}/`, '');
}

main()
  .catch((error) => {
    process.stderr.write(`${error.stack ?? error}\n`);
    process.exitCode = 1;
  })
  .finally(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  });
