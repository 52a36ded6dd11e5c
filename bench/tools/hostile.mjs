// Hostile but legal requests, a process of its own: bodies at the shape limits (100 keys, 16-deep nesting,
// 100-item arrays, 5,000 values, 16,000-character strings) within the 16 KiB orders and 4 KiB login limits,
// sent by <concurrency> keep-alive loops for <seconds>. Prints {sent, statuses, byKind} as JSON.
import { randomUUID } from 'node:crypto';
import { Agent, request } from 'node:http';

const [base, token, seconds, concurrency = '4'] = process.argv.slice(2);
const agent = new Agent({ keepAlive: true, maxSockets: Number(concurrency) });

const keys = (count, value) => Object.fromEntries(Array.from({ length: count }, (_, i) => [`k${i}`, value]));
const nest = (depth) => (depth === 0 ? 1 : { x: nest(depth - 1) });
const line = () => ({ productId: randomUUID(), quantity: 1 });

const ORDERS = { method: 'POST', path: '/v1/orders', limit: 16 * 1024, auth: true };
const LOGIN = { method: 'POST', path: '/v1/auth/login', limit: 4 * 1024, auth: false };
const cases = [
  // 100 keys at the top (items + 99 unknown), long values: refused by validation (unknown properties).
  { kind: 'wide', ...ORDERS, body: { items: [line()], ...keys(99, 'v'.repeat(140)) } },
  // An order line with 100 keys.
  { kind: 'wide-line', ...ORDERS, body: { items: [{ ...line(), ...keys(98, 'v'.repeat(100)) }] } },
  // 16 levels of objects and arrays (the top-level value is depth 1).
  { kind: 'deep', ...ORDERS, body: { items: [{ ...line(), quantity: nest(13) }] } },
  // 100 lines (validation allows 50): every line is still validated.
  { kind: 'long-array', ...ORDERS, body: { items: Array.from({ length: 100 }, line) } },
  // 50 valid lines for products that do not exist: through validation into the database (422).
  { kind: 'fifty-lines', ...ORDERS, body: { items: Array.from({ length: 50 }, line) } },
  // 49 arrays of 100 numbers: 4,950 values, close to the 5,000-node limit.
  { kind: 'many-values', ...ORDERS, body: { items: Array.from({ length: 49 }, () => new Array(100).fill(1)) } },
  // A 16,000-character string.
  { kind: 'long-string', ...ORDERS, body: { items: [{ productId: 'a'.repeat(16_000), quantity: 1 }] } },
  // A login body with 100 keys within 4 KiB.
  { kind: 'login-wide', ...LOGIN, body: { email: 'x@bench.example.com', password: 'p', ...keys(98, 'v'.repeat(20)) } },
  // A query string with 100 keys.
  {
    kind: 'query-wide',
    method: 'GET',
    path: `/v1/products?${Array.from({ length: 100 }, (_, i) => `k${i}=v`).join('&')}`,
    auth: true,
  },
].map((c) => ({ ...c, payload: c.body === undefined ? undefined : Buffer.from(JSON.stringify(c.body)) }));

for (const c of cases) {
  if (c.payload && c.payload.length > c.limit) throw new Error(`${c.kind} is ${c.payload.length} bytes`);
}

const send = (c) =>
  new Promise((resolveSend) => {
    const headers = c.auth ? { authorization: `Bearer ${token}` } : {};
    if (c.payload) Object.assign(headers, { 'content-type': 'application/json', 'content-length': c.payload.length });
    const req = request(`${base}${c.path}`, { method: c.method, headers, agent, timeout: 10_000 }, (res) => {
      res.resume();
      res.on('end', () => resolveSend(res.statusCode));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', () => resolveSend('error'));
    req.end(c.payload);
  });

const statuses = {};
const byKind = {};
let sent = 0;
const deadline = performance.now() + Number(seconds) * 1000;
await Promise.all(
  Array.from({ length: Number(concurrency) }, async (_, worker) => {
    for (let i = worker; performance.now() < deadline; i++) {
      const c = cases[i % cases.length];
      const status = await send(c);
      sent++;
      statuses[status] = (statuses[status] ?? 0) + 1;
      byKind[c.kind] ??= {};
      byKind[c.kind][status] = (byKind[c.kind][status] ?? 0) + 1;
    }
  }),
);
agent.destroy();
process.stdout.write(`${JSON.stringify({ sent, statuses, byKind })}\n`);
