// Latency probe, a process of its own (pinned next to the load generator): GET <url> every <intervalMs>
// over one keep-alive connection for <seconds> (or until SIGTERM), then prints {count, errors, p50, p99, max} in ms
// as JSON. With <token>, each request carries `Authorization: Bearer <token>`.
import { Agent, request } from 'node:http';

const [url, seconds, intervalMs = '10', token] = process.argv.slice(2);
const headers = token ? { authorization: `Bearer ${token}` } : {};
let stopped = false;
process.once('SIGTERM', () => (stopped = true));
const agent = new Agent({ keepAlive: true, maxSockets: 1 });
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

const once = () =>
  new Promise((resolveOnce) => {
    const started = performance.now();
    const req = request(url, { agent, headers, timeout: 10_000 }, (res) => {
      res.resume();
      res.on('end', () => resolveOnce({ ok: res.statusCode === 200, ms: performance.now() - started }));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', () => resolveOnce({ ok: false, ms: performance.now() - started }));
    req.end();
  });

const latencies = [];
let errors = 0;
const deadline = performance.now() + Number(seconds) * 1000;
while (!stopped && performance.now() < deadline) {
  const { ok, ms } = await once();
  if (ok) latencies.push(ms);
  else errors++;
  await sleep(Number(intervalMs));
}
agent.destroy();
latencies.sort((a, b) => a - b);
const at = (q) =>
  latencies.length ? latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] : NaN;
process.stdout.write(
  `${JSON.stringify({ count: latencies.length, errors, p50: at(0.5), p99: at(0.99), max: latencies.at(-1) ?? NaN })}\n`,
);
