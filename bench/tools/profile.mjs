// `npm run bench:profile -- <scenario> [seconds] [postgres|pglite]`: a CPU profile of the built API under one bench scenario.
// Starts the API with `--cpu-prof` on a fresh database and Redis prefix (the bench's own setup), drives the
// scenario with wrk, stops the API and prints where the time went: self time by package and the hottest
// functions. The .cpuprofile file is kept (open it in Chrome DevTools or speedscope) and its path printed.
// Scenarios: s1 (liveness), s2 (cached product read), s3 (cached own order), s4 (cached order page),
// s5 (order creation), s5i (order creation with Idempotency-Key).
import { randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { startServer } from '../lib/processes.mjs';
import { ApiClient, newPassword } from '../lib/seed.mjs';
import { createDatabase, createPgliteDir, createRedisPrefix } from '../lib/services.mjs';
import { builtApiDir, repoRoot, settings } from '../lib/settings.mjs';
import { lua, runWrk, staticRequest } from '../lib/wrk.mjs';

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
    env: {
      NODE_ENV: 'production',
      LOG_LEVEL: 'warn',
      JWT_SECRET: randomBytes(48).toString('base64url'),
      METRICS_PUBLIC: 'true',
      RATE_LIMIT_PER_MINUTE: '1000000',
      RATE_LIMIT_AUTH_PER_MINUTE: '100000',
      ADMIN_EMAIL: admin.email,
      ADMIN_PASSWORD: admin.password,
      SHUTDOWN_DRAIN_MS: '0',
      ...storage,
    },
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
  // As the bench's S5: one line, rotating over 20 products.
  const orders = (idempotency) => `
    local products = { ${products.map((p) => lua(p.id)).join(', ')} }
    local headers = { ["authorization"] = ${lua(auth.authorization)}, ["content-type"] = "application/json" }
    local tag, n = tostring(math.random(1e9)), 0
    request = function()
      n = n + 1
      ${idempotency ? 'headers["idempotency-key"] = "profile-" .. tag .. "-" .. n' : ''}
      local body = '{"items":[{"productId":"' .. products[(n % #products) + 1] .. '","quantity":1}]}'
      return wrk.format("POST", "/v1/orders", headers, body)
    end`;
  const scripts = {
    s1: () => staticRequest({ path: '/health/live' }),
    s2: () => staticRequest({ path: `/v1/products/${products[0].id}`, headers: auth }),
    s3: () => staticRequest({ path: `/v1/orders/${placed[0].id}`, headers: auth }),
    s4: () => staticRequest({ path: '/v1/orders?limit=20', headers: auth }),
    s5: () => orders(false),
    s5i: () => orders(true),
  };
  const script = scripts[scenario];
  if (script === undefined) throw new Error(`unknown scenario ${scenario}; one of ${Object.keys(scripts).join(', ')}`);
  const result = await runWrk({ base: api.base, script: script(), seconds, connections: 50, cpu: settings.loadCpu });
  process.stderr.write(`${scenario}: ${JSON.stringify(result)}\n`);
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
