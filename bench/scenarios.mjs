// Scenario definitions. A/B scenarios (S1-S5, S6 inside S2/S3, S10, S12) are sides measured in alternating
// rounds by lib/rounds.mjs; the others (S7, S9, S11, S13) are functions returning measurements. S8 is measured by
// run.mjs around the servers' starts and S2.
import { spawn } from 'node:child_process';
import { request } from 'node:http';
import { join } from 'node:path';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import pg from 'pg';
import { EVENT_LOOP_RESOLUTION_MS, eventLoop, eventLoopLate, hitRatio, scrape } from './lib/metrics.mjs';
import { pinned, runToEnd } from './lib/processes.mjs';
import { runAb } from './lib/rounds.mjs';
import { ApiClient } from './lib/seed.mjs';
import { toolsDir } from './lib/settings.mjs';
import { lua, luaTable, runWrk, staticRequest } from './lib/wrk.mjs';

const bearer = (token) => ({ authorization: `Bearer ${token}` });

/**
 * A side answering one fixed GET. Its body is also fetched once, to count bytes and (unless `sameData` is false:
 * another database, other ids) to check that it answers what the scenario's first side answers.
 */
const getSide = (label, server, path, token, sameData = true) => {
  const headers = token ? bearer(token) : {};
  return { label, server, script: staticRequest({ path, headers }), check: { path, headers, sameData } };
};

const ratio = (id, a, b, op, value) => ({ id, a, b, target: op ? { op, value } : undefined });

/**
 * Orders of one product line each, spread over `productIds` (one hot row would measure lock waits, not the
 * server); with `idempotency`, a unique Idempotency-Key per request.
 */
export function ordersScript(token, productIds, idempotency) {
  return `
local products = ${luaTable(productIds)}
local headers = { ["authorization"] = ${lua(`Bearer ${token}`)}, ["content-type"] = "application/json" }
local tag, counter = "", 0
init = function(args) tag = args[1] end
request = function()
  counter = counter + 1
  ${idempotency ? 'headers["idempotency-key"] = "bench-" .. tag .. "-" .. counter' : ''}
  local body = '{"items":[{"productId":"' .. products[(counter % #products) + 1] .. '","quantity":1}]}'
  return wrk.format("POST", "/v1/orders", headers, body)
end`;
}

/** S1-S5 (and S6 as the PGlite sides of S2 and S3). */
export function abScenarios({ servers: s, pg, lite }) {
  const product = `/v1/products/${pg.readProduct.id}`;
  const litePath = `/v1/products/${lite.readProduct.id}`;
  const order = `/v1/orders/${pg.listOrders.at(-1).id}`;
  const liteOrder = `/v1/orders/${lite.order.id}`;
  const list = '/v1/orders?limit=20';
  return [
    {
      id: 'S1',
      title: 'GET /health/live',
      sides: [
        getSide('API', s.api, '/health/live'),
        getSide('B1 Fastify', s.b1, '/health/live'),
        getSide('B5 Nest+Express', s.b5, '/health/live'),
      ],
      ratios: [ratio('S1', 'API', 'B1 Fastify', '≥', 0.6), ratio('S1', 'API', 'B5 Nest+Express', '≥', 3)],
    },
    {
      id: 'S2',
      title: 'GET /v1/products/{id}, cache hit',
      sides: [
        getSide('API', s.api, product, pg.users.product.token),
        getSide('API PGlite', s.apiLite, litePath, lite.users.product.token, false),
        getSide('B2 pg', s.b2, product, pg.users.product.token),
        getSide('B3 Map', s.b3, product, pg.users.product.token),
      ],
      ratios: [
        ratio('S2', 'API', 'B3 Map', '≥', 0.4),
        ratio('S2', 'API', 'B2 pg'),
        ratio('S6', 'API PGlite', 'API', '≥', 0.8),
      ],
      p99Below: { side: 'API', ms: 25 },
      cacheSides: ['API', 'API PGlite'],
    },
    {
      id: 'S3',
      title: 'own GET /v1/orders/{id}, cache hit',
      sides: [
        getSide('API', s.api, order, pg.users.reader.token),
        getSide('API PGlite', s.apiLite, liteOrder, lite.users.reader.token, false),
        getSide('B3 Map', s.b3, order, pg.users.reader.token),
      ],
      ratios: [ratio('S3', 'API', 'B3 Map', '≥', 0.4), ratio('S6', 'API PGlite', 'API', '≥', 0.8)],
      p99Below: { side: 'API', ms: 25 },
      cacheSides: ['API', 'API PGlite'],
    },
    {
      id: 'S4',
      title: 'GET /v1/orders?limit=20 (20 orders), cache hit',
      sides: [
        getSide('API', s.api, list, pg.users.reader.token),
        getSide('B3-list Map', s.b3, list, pg.users.reader.token),
      ],
      ratios: [ratio('S4', 'API', 'B3-list Map', '≥', 0.3)],
      cacheSides: ['API'],
    },
    {
      id: 'S5',
      title: 'POST /v1/orders (1 line, 20 products)',
      sides: [
        { label: 'API', server: s.api, script: ordersScript(pg.users.writer.token, pg.writeProductIds, false) },
        {
          label: 'API Idempotency-Key',
          server: s.api,
          script: ordersScript(pg.users.idempotentWriter.token, pg.writeProductIds, true),
        },
        { label: 'B4 pg tx', server: s.b4, script: ordersScript(pg.users.writer.token, pg.writeProductIds, false) },
      ],
      ratios: [ratio('S5', 'API', 'B4 pg tx', '≥', 0.75), ratio('S5', 'API Idempotency-Key', 'B4 pg tx', '≥', 0.65)],
    },
  ];
}

/**
 * S8 rows: spawn → /health/ready 200 (migrations already applied) and RSS (VmRSS) once ready and after S2, for
 * the PostgreSQL + Redis app and the embedded default (PGlite, in-memory cache).
 */
export const coldStartAndMemory = ({ pg, lite }) => [
  { id: 'S8', name: 'cold start to ready, PostgreSQL', value: pg.readyMs, unit: 'ms' },
  { id: 'S8', name: 'RSS when ready, PostgreSQL', value: pg.rssReady, unit: 'MB' },
  { id: 'S8', name: 'RSS after S2, PostgreSQL', value: pg.rssAfterS2, unit: 'MB', target: { op: '<', value: 200 } },
  { id: 'S8', name: 'cold start to ready, PGlite', value: lite.readyMs, unit: 'ms' },
  { id: 'S8', name: 'RSS when ready, PGlite', value: lite.rssReady, unit: 'MB' },
  { id: 'S8', name: 'RSS after S2, PGlite', value: lite.rssAfterS2, unit: 'MB', target: { op: '<', value: 400 } },
];

/** The probe (tools/probe.mjs): GET `url` every 5 ms for `seconds`, with `token` as a bearer token if given. */
const probe = async (url, seconds, settings, token) =>
  JSON.parse(
    await runToEnd(
      process.execPath,
      [join(toolsDir, 'probe.mjs'), url, String(seconds), '5', ...(token ? [token] : [])],
      { cpu: settings.loadCpu },
    ),
  );

/** S7: 20 concurrent logins for the duration; liveness latency (paced probe) and event-loop delay meanwhile. */
export async function loginStorm({ servers: s, pg }, settings) {
  const users = pg.stormUsers;
  const script = `
local users = ${luaTable(users.map((u) => JSON.stringify({ email: u.email, password: u.password })))}
local headers = { ["content-type"] = "application/json" }
local counter = 0
request = function()
  counter = counter + 1
  return wrk.format("POST", "/v1/auth/login", headers, users[(counter % #users) + 1])
end`;
  const idle = await probe(`${s.api.base}/health/live`, Math.max(1, Math.min(3, settings.stormSeconds)), settings);
  await scrape(s.api.base);
  const [storm, during] = await Promise.all([
    runWrk({
      base: s.api.base,
      script,
      seconds: settings.stormSeconds,
      connections: settings.stormConnections,
      cpu: settings.loadCpu,
    }),
    probe(`${s.api.base}/health/live`, settings.stormSeconds, settings),
  ]);
  const lag = eventLoop(await scrape(s.api.base));
  return [
    { id: 'S7', name: 'logins/s (20 concurrent)', value: storm.rps, unit: 'req/s', note: `${storm.non2xx} non-2xx` },
    { id: 'S7', name: '/health/live p99, idle', value: idle.p99, unit: 'ms' },
    { id: 'S7', name: '/health/live p99 during storm', value: during.p99, unit: 'ms', target: { op: '<', value: 20 } },
    { id: 'S7', name: '/health/live max during storm', value: during.max, unit: 'ms' },
    { id: 'S7', name: 'event-loop delay p99 during storm', value: lag.p99, unit: 'ms' },
    { id: 'S7', name: 'event-loop delay max during storm', value: lag.max, unit: 'ms' },
  ];
}

/**
 * S9: `mixUsers` users; 45% GET own order, 45% GET a product page (50 products), 10% POST an order of one of
 * those products. With invalidation limited to what a write changed (the writer's order lists, the ordered
 * product; an order's own page only when that order changes, which no request here does), only product pages
 * miss after writes: at most one miss per write, 0.10 of 0.90 reads, so the hit-ratio ceiling of this mix
 * is about 1 - 0.10 / 0.90 ≈ 0.89 (less the first read of each key and the 10 s expiry of order pages).
 */
export async function mixedLoad({ servers: s, pg }, settings) {
  const users = pg.mixUsers.map((u) => ({ token: `Bearer ${u.token}`, order: u.order.id }));
  const script = `
local users = ${luaTable(users)}
local products = ${luaTable(pg.mixProductIds)}
init = function(args) math.randomseed(tonumber(string.sub(args[1], 1, 8), 16)) end
request = function()
  local user = users[math.random(#users)]
  local product = products[math.random(#products)]
  local r = math.random(100)
  if r <= 10 then
    local body = '{"items":[{"productId":"' .. product .. '","quantity":1}]}'
    return wrk.format("POST", "/v1/orders", { ["authorization"] = user.token, ["content-type"] = "application/json" }, body)
  elseif r <= 55 then
    return wrk.format("GET", "/v1/orders/" .. user.order, { ["authorization"] = user.token })
  else
    return wrk.format("GET", "/v1/products/" .. product, { ["authorization"] = user.token })
  end
end`;
  const run = (seconds) =>
    runWrk({ base: s.api.base, script, seconds, connections: settings.connections, cpu: settings.loadCpu });
  if (settings.warmupSeconds > 0) await run(settings.warmupSeconds);
  const before = await scrape(s.api.base);
  const result = await run(settings.mixSeconds);
  const cache = hitRatio(before, await scrape(s.api.base));
  return [
    { id: 'S9', name: `mixed load req/s (${users.length} users, 10% writes)`, value: result.rps, unit: 'req/s' },
    { id: 'S9', name: 'mixed load p50 / p99', value: result.p50, value2: result.p99, unit: 'ms' },
    { id: 'S9', name: 'mixed load errors / non-2xx', value: result.errors, value2: result.non2xx, unit: '' },
    {
      id: 'S9',
      name: 'cache hit ratio (ceiling of this mix ≈ 0.89)',
      value: cache.ratio,
      unit: '',
      target: { op: '≥', value: 0.8 },
      note: `${cache.hits} hits, ${cache.misses} misses`,
    },
  ];
}

/**
 * S11: hostile bodies within the limits (tools/hostile.mjs), in a loop, while S1 runs: S1's req/s and p99 and
 * the longest event-loop stall, next to the same window of S1 alone just before (the control: GC and a
 * saturated loop stall too).
 */
export async function hostileBodies({ servers: s, pg }, settings) {
  const window = async (hostile) => {
    await scrape(s.api.base);
    const [load, sent] = await Promise.all([
      runWrk({
        base: s.api.base,
        script: staticRequest({ path: '/health/live' }),
        seconds: settings.hostileSeconds,
        connections: settings.connections,
        cpu: settings.loadCpu,
      }),
      hostile &&
        runToEnd(
          process.execPath,
          [join(toolsDir, 'hostile.mjs'), s.api.base, pg.users.hostile.token, String(settings.hostileSeconds), '4'],
          { cpu: settings.loadCpu },
        ).then(JSON.parse),
    ]);
    return { load, sent, lag: eventLoop(await scrape(s.api.base)) };
  };
  const alone = await window(false);
  const attacked = await window(true);
  const statuses = Object.entries(attacked.sent.statuses)
    .map(([status, count]) => `${count}× ${status}`)
    .join(', ');
  const control = (value, unit) => `S1 alone: ${unit === 'ms' ? value.toFixed(1) : Math.round(value)} ${unit}`;
  return [
    {
      id: 'S11',
      name: 'S1 req/s with hostile bodies',
      value: attacked.load.rps,
      unit: 'req/s',
      note: control(alone.load.rps, 'req/s'),
    },
    {
      id: 'S11',
      name: 'S1 p99 with hostile bodies',
      value: attacked.load.p99,
      unit: 'ms',
      note: control(alone.load.p99, 'ms'),
    },
    { id: 'S11', name: 'hostile requests answered', value: attacked.sent.sent, unit: '', note: statuses },
    {
      id: 'S11',
      name: 'longest event-loop stall with hostile bodies',
      value: attacked.lag.max,
      unit: 'ms',
      target: { op: '<', value: 50 },
      note: control(alone.lag.max, 'ms'),
    },
  ];
}

/** S10: CLUSTER_WORKERS=2 vs 1 on S2 (both servers unpinned: they need both cores). */
export async function clusterScenario(ctx, settings, startApi) {
  const two = await startApi('api-cluster-2', { CLUSTER_WORKERS: '2' });
  const one = await startApi('api-cluster-1', { CLUSTER_WORKERS: '1' });
  try {
    const path = `/v1/products/${ctx.pg.readProduct.id}`;
    const token = ctx.pg.users.product.token;
    return await runAb(
      {
        id: 'S10',
        title: 'S2 with CLUSTER_WORKERS=2 vs 1 (servers unpinned)',
        sides: [getSide('API 2 workers', two, path, token), getSide('API 1 worker', one, path, token)],
        ratios: [ratio('S10', 'API 2 workers', 'API 1 worker')],
      },
      settings,
    );
  } finally {
    await Promise.all([two.stop(), one.stop()]);
  }
}

/** What browsers and most HTTP clients send. */
const ACCEPT_ENCODING = 'gzip, deflate, br';

/** One GET over node:http, which (unlike fetch) leaves the body as it came: its coding and its bytes. */
function rawGet(url, headers) {
  return new Promise((resolveGet, reject) => {
    const req = request(url, { headers, timeout: 10_000 }, (res) => {
      const chunks = [];
      res.on('data', (chunk) => chunks.push(chunk));
      res.on('end', () =>
        resolveGet({ status: res.statusCode, coding: res.headers['content-encoding'], body: Buffer.concat(chunks) }),
      );
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`GET ${url} timed out`)));
    req.on('error', reject);
    req.end();
  });
}

/** S12 rows: the S4 answer's body in bytes as sent, uncompressed and in each coding. */
async function s4AnswerBytes(server, path, token) {
  const get = (acceptEncoding) =>
    rawGet(`${server.base}${path}`, { ...bearer(token), ...(acceptEncoding && { 'accept-encoding': acceptEncoding }) });
  const identity = await get(undefined);
  if (identity.status !== 200) throw new Error(`S12: ${path} answered ${identity.status}`);
  const rows = [{ id: 'S12', name: 'S4 answer body, uncompressed', value: identity.body.length, unit: 'bytes' }];
  for (const [coding, decode] of [
    ['br', brotliDecompressSync],
    ['gzip', gunzipSync],
  ]) {
    const answer = await get(coding);
    const saved = `${(100 * (1 - answer.body.length / identity.body.length)).toFixed(1)}% saved`;
    const note =
      answer.coding !== coding
        ? `answered ${answer.coding ?? 'uncompressed'}`
        : decode(answer.body).equals(identity.body)
          ? saved
          : `${saved}; ‼ decodes to a different body`;
    rows.push({ id: 'S12', name: `S4 answer body, ${coding}`, value: answer.body.length, unit: 'bytes', note });
  }
  return rows;
}

/**
 * S12: response compression. The bytes of the S4 answer uncompressed, br and gzip; then, with the
 * Accept-Encoding browsers send, S2 (a small answer, below the threshold: what compression costs an answer it
 * leaves alone) and S4 (an 11.5 KB page, compressed with br) on an API with compression on (the default) vs
 * one with COMPRESSION_THRESHOLD_BYTES=0. Both servers are fresh, pinned like the others, on the same database
 * and Redis prefix (so the same cached answers); they are stopped afterwards.
 */
export async function compressionScenario({ pg }, settings, startApi) {
  const [on, off] = await Promise.all([
    startApi('api-compression-on', {}),
    startApi('api-compression-off', { COMPRESSION_THRESHOLD_BYTES: '0' }),
  ]);
  try {
    const ON = 'API compression on';
    const OFF = 'API compression off';
    const side = (label, server, path, token) => {
      const headers = { ...bearer(token), 'accept-encoding': ACCEPT_ENCODING };
      return { label, server, script: staticRequest({ path, headers }), check: { path, headers, sameData: true } };
    };
    const ab = (path, token, title, target, durations) =>
      runAb(
        {
          id: 'S12',
          title,
          sides: [side(ON, on, path, token), side(OFF, off, path, token)],
          ratios: [target ? ratio('S12', ON, OFF, ...target) : ratio('S12', ON, OFF)],
          cacheSides: [ON, OFF],
        },
        { ...settings, ...durations },
      );
    const list = '/v1/orders?limit=20';
    const measurements = await s4AnswerBytes(on, list, pg.users.reader.token);
    const small = await ab(
      `/v1/products/${pg.readProduct.id}`,
      pg.users.product.token,
      `S2 (small answer) with Accept-Encoding: ${ACCEPT_ENCODING}, compression on vs off`,
      ['≥', 0.95],
      settings.compression.small,
    );
    const large = await ab(
      list,
      pg.users.reader.token,
      `S4 (20 orders) with Accept-Encoding: ${ACCEPT_ENCODING}, compression on (br) vs off`,
      undefined,
      settings.compression.large,
    );
    return { scenarios: [small, large], measurements };
  } finally {
    await Promise.all([on.stop(), off.stop()]);
  }
}

/** The probe (tools/probe.mjs) on the load CPU until `stop()`, which resolves with its numbers. */
function startProbe(url, token, settings, cpu = settings.loadCpu, everyMs = 5) {
  const [command, args] = pinned(cpu, process.execPath, [
    join(toolsDir, 'probe.mjs'),
    url,
    '3600',
    String(everyMs),
    token,
  ]);
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  child.stdout.on('data', (chunk) => (stdout += chunk));
  const exited = new Promise((resolveExit) => child.once('exit', resolveExit));
  return {
    async stop() {
      child.kill('SIGTERM');
      await exited;
      return JSON.parse(stdout);
    },
  };
}

/**
 * Polls the bench database until every order of `orderIds` has its invoice row; resolves with how many there were at
 * the first look.
 */
async function storedInvoices(databaseUrl, orderIds, timeoutMs = 120_000) {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const deadline = Date.now() + timeoutMs;
    let first;
    for (;;) {
      const { rows } = await client.query('select count(*)::int as n from invoices where order_id = any($1::uuid[])', [
        orderIds,
      ]);
      first ??= rows[0].n;
      if (rows[0].n >= orderIds.length) return { first };
      if (Date.now() > deadline)
        throw new Error(`S13: ${rows[0].n} of ${orderIds.length} invoices after ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 20));
    }
  } finally {
    await client.end();
  }
}

/**
 * S13: invoice PDFs off the event loop. An API relaying to NATS (BENCH_NATS_URL, a prefix of this run's own) and
 * the worker, both on the bench's PostgreSQL database, the API on the server CPU and the worker where `startWorker`
 * puts it (see run.mjs). `orders` orders are placed, then marked paid at once by the admin; the worker's `invoices`
 * job renders each PDF in its piscina thread and stores it. From the moment the payments are answered (the 50
 * transactions are API work, not rendering) until every invoice exists: the worker's event-loop delay (its /metrics,
 * scraped at both ends) and the API's latency on an authenticated cached read (the probe, `GET /v1/products/{id}`
 * every 5 ms). The control: the worker stopped, as many other orders paid, the same probe for as long (the API's
 * share of the payments, its relay included, without any rendering). Skipped (one row saying why) without NATS.
 */
/** S13's probe interval: as many samples as the API answers without the probe becoming load. */
const PROBE_EVERY_MS = 2;

export async function invoiceRendering(
  { pg: seeded },
  settings,
  { nats, databaseUrl, adminToken, startApi, startWorker },
) {
  if (nats.skipped) {
    return [
      {
        id: 'S13',
        name: 'invoice PDFs rendered by the worker',
        value: NaN,
        unit: '',
        note: `skipped: ${nats.skipped}`,
      },
    ];
  }
  // The events of the earlier scenarios (thousands of orders, recorded by APIs without NATS_URL) were never meant
  // for a relay: marked published, as migration 0004 does, so that the worker sees only this scenario's.
  const admin = new pg.Client({ connectionString: databaseUrl });
  await admin.connect();
  await admin
    .query('update outbox_events set published_at = occurred_at where published_at is null')
    .finally(() => admin.end());

  const natsEnv = { NATS_URL: nats.url, NATS_SUBJECT_PREFIX: nats.prefix };
  const api = await startApi('api-nats', natsEnv);
  try {
    const client = new ApiClient(api.base);
    const token = await adminToken(client);
    const users = seeded.mixUsers;
    const productId = seeded.mixProductIds[0];
    const placeOrders = async () => {
      const placed = [];
      for (let i = 0; i < settings.invoices.orders; i += 10) {
        const batch = Array.from({ length: Math.min(10, settings.invoices.orders - i) }, (_, j) =>
          client.orders(users[(i + j) % users.length].token, [[productId]]).then(([order]) => order),
        );
        placed.push(...(await Promise.all(batch)));
      }
      return placed;
    };
    const payAll = async (orders) => {
      const paid = await Promise.all(
        orders.map((order) =>
          client.call('PATCH', `/v1/orders/${order.id}/status`, {
            token,
            body: { status: 'paid' },
            headers: { 'if-match': `"v${order.version}"` },
          }),
        ),
      );
      const failed = paid.filter((res) => res.status !== 200).length;
      if (failed > 0) throw new Error(`S13: ${failed} of ${orders.length} payments failed`);
    };
    const readUrl = `${api.base}/v1/products/${seeded.readProduct.id}`;
    const reader = seeded.users.product.token;
    // The probe on the API's core, not the worker's: a client of the API does not share the worker's CPU (it would
    // measure its own wait for the CPU the render thread takes), and the API is all but idle here.
    const probe = () => startProbe(readUrl, reader, settings, settings.serverCpu, PROBE_EVERY_MS);

    // Rounds, as the A/B scenarios: a window of ~1 s holds a few hundred probes, whose p99 is one or two samples.
    const rounds = [];
    let unrendered = []; // the previous round's control orders: the worker renders them when it is back
    for (let round = 0; round < settings.rounds; round++) {
      const worker = await startWorker('worker', { ...natsEnv, MAILER_TRANSPORT: 'log', INVOICE_RENDER_THREADS: '1' });
      try {
        if (unrendered.length > 0) await storedInvoices(databaseUrl, unrendered);
        const [rendered, control] = [await placeOrders(), await placeOrders()];
        unrendered = control.map((order) => order.id);
        await scrape(worker.base); // resets the worker's event-loop histogram (its start, the orders placed)
        await new Promise((r) => setTimeout(r, 1_000));
        const idleLag = eventLoopLate(await scrape(worker.base));

        // Rendering: from the payments' answers (their transactions are API work, not rendering) to the last invoice.
        const started = performance.now();
        await payAll(rendered);
        const answeredMs = performance.now() - started;
        const probing = probe();
        const stored = await storedInvoices(
          databaseUrl,
          rendered.map((order) => order.id),
        );
        const renderMs = performance.now() - started;
        const lag = eventLoopLate(await scrape(worker.base));
        const during = await probing.stop();

        // The control: the worker stopped, as many payments (the API relays their events just the same), the same
        // probe for as long: what is left is the rendering's share.
        await worker.stop();
        await payAll(control);
        const alone = probe();
        await new Promise((r) => setTimeout(r, Math.max(500, renderMs - answeredMs)));
        const without = await alone.stop();
        rounds.push({ renderMs, answeredMs, storedFirst: stored.first, idleLag, lag, during, without });
      } finally {
        await worker.stop();
      }
    }
    const median = (values) => {
      const sorted = [...values].sort((a, b) => a - b);
      const middle = Math.floor(sorted.length / 2);
      return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    };
    const worst = (values) => Math.max(...values);
    const n = settings.invoices.orders;
    const perRound = (pick, digits = 1) => rounds.map((r) => pick(r).toFixed(digits)).join(', ');
    return [
      {
        id: 'S13',
        name: `${n} orders paid at once → ${n} invoices stored`,
        value: median(rounds.map((r) => r.renderMs)),
        unit: 'ms',
        note: `median of ${rounds.length} round(s): ${perRound((r) => r.renderMs, 0)} ms; 1 render thread; payments answered after ${perRound((r) => r.answeredMs, 0)} ms, ${perRound((r) => r.storedFirst, 0)} invoice(s) stored by then`,
      },
      {
        id: 'S13',
        name: 'worker event-loop delay p99 while rendering',
        value: worst(rounds.map((r) => r.lag.p99)),
        unit: 'ms',
        target: { op: '<', value: 20 },
        note: `worst round (${perRound((r) => r.lag.p99)}); beyond the ${EVENT_LOOP_RESOLUTION_MS} ms sampling interval; idle: ${perRound((r) => r.idleLag.p99)} ms`,
      },
      {
        id: 'S13',
        name: 'worker event-loop delay max while rendering',
        value: worst(rounds.map((r) => r.lag.max)),
        unit: 'ms',
        note: `worst round; idle: ${perRound((r) => r.idleLag.max)} ms`,
      },
      {
        id: 'S13',
        name: 'API read p99, no worker / while rendering',
        value: median(rounds.map((r) => r.without.p99)),
        value2: median(rounds.map((r) => r.during.p99)),
        unit: 'ms',
        note: `medians of rounds; p50 ${median(rounds.map((r) => r.without.p50)).toFixed(2)} / ${median(rounds.map((r) => r.during.p50)).toFixed(2)} ms; ${rounds.reduce((sum, r) => sum + r.without.count, 0)} / ${rounds.reduce((sum, r) => sum + r.during.count, 0)} probes, ${rounds.reduce((sum, r) => sum + r.without.errors + r.during.errors, 0)} errors`,
      },
      {
        id: 'S13',
        name: 'API read p99 while rendering ÷ no worker',
        value: median(rounds.map((r) => r.during.p99 / r.without.p99)),
        unit: '',
        target: { op: '≤', value: 1.5 },
        note: `median of the rounds' ratios (${perRound((r) => r.during.p99 / r.without.p99, 2)})`,
      },
    ];
  } finally {
    await api.stop();
  }
}
