// wrk wrapper: every run gets a generated Lua script (static request, or a `request()` for per-request
// headers and bodies) whose `done()` prints the numbers as one JSON line.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runToEnd } from './processes.mjs';

/** A Lua string literal (long brackets: no escaping needed for JSON bodies). */
export const lua = (text) => {
  const s = String(text);
  if (s.includes(']==]')) throw new Error('string not representable as a Lua long string');
  return `[==[${s}]==]`;
};

/** A Lua table literal of strings, or of tables of strings (`{ key = 'x' }`). */
export const luaTable = (values) =>
  `{${values
    .map((value) =>
      typeof value === 'string'
        ? lua(value)
        : `{${Object.entries(value)
            .map(([key, v]) => `${key} = ${Array.isArray(v) ? luaTable(v) : lua(v)}`)
            .join(', ')}}`,
    )
    .join(',\n')}}`;

const DONE = `
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'WRK_JSON {"requests":%d,"durationUs":%d,"bytes":%d,"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d,"p50":%d,"p90":%d,"p99":%d,"max":%d}\\n',
    summary.requests, summary.duration, summary.bytes, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max))
end
`;

/** The Lua of one fixed request (wrk formats it once). */
export function staticRequest({ method = 'GET', path, headers = {}, body }) {
  const lines = [`wrk.method = ${lua(method)}`, `wrk.path = ${lua(path)}`];
  for (const [name, value] of Object.entries(headers)) lines.push(`wrk.headers[ ${lua(name)} ] = ${lua(value)}`);
  if (body !== undefined) lines.push(`wrk.body = ${lua(body)}`);
  return lines.join('\n');
}

/**
 * Runs wrk against `base` with the given Lua (see `staticRequest`, or a script defining `request()`; it
 * receives a unique run tag as `init(args)`'s args[1]). Returns req/s, latency percentiles in ms, errors
 * (socket errors and timeouts), non-2xx/3xx answers and bytes per response.
 */
export async function runWrk({ base, script, seconds, connections, threads = 1, cpu }) {
  const dir = mkdtempSync(join(tmpdir(), 'bench-wrk-'));
  const file = join(dir, 'script.lua');
  writeFileSync(file, `${script}\n${DONE}`);
  try {
    const tag = randomBytes(6).toString('hex');
    const args = [`-t${threads}`, `-c${connections}`, `-d${seconds}s`, '--timeout', '10s', '-s', file, base, '--', tag];
    const { stdout, stderr } = await runToEnd('wrk', args, { cpu, withStderr: true });
    const line = stdout.split('\n').find((l) => l.startsWith('WRK_JSON '));
    // A script that does not load makes wrk send its default request: never take that for a result.
    if (!line || stderr.trim()) throw new Error(`wrk failed:\n${stdout}\n${stderr}`);
    const r = JSON.parse(line.slice('WRK_JSON '.length));
    const ms = (us) => us / 1000;
    return {
      rps: r.requests / (r.durationUs / 1e6),
      requests: r.requests,
      p50: ms(r.p50),
      p90: ms(r.p90),
      p99: ms(r.p99),
      max: ms(r.max),
      errors: r.connect + r.read + r.write + r.timeout,
      non2xx: r.status,
      bytesPerResponse: r.requests > 0 ? r.bytes / r.requests : 0,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
