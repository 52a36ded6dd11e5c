import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { repoRoot } from './repo-files';

export const builtMain = join(repoRoot, 'dist', 'apps', 'api', 'src', 'main.js');

export function assertBuilt(): void {
  if (!existsSync(builtMain)) {
    throw new Error(`${builtMain} is missing: run "npm run build" first (npm test does it through pretest)`);
  }
}

export async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolvePort(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

export interface RunningProcess {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/**
 * Runs the built API (or its seed / migrate script) as a real process, with only the given environment (nothing inherited but PATH),
 * in an empty working directory so that no developer's `.env` leaks in.
 */
export function runBuiltApi(env: Record<string, string>, script: 'main' | 'seed' | 'migrate' = 'main'): RunningProcess {
  assertBuilt();
  const cwd = mkdtempSync(join(tmpdir(), 'api-proc-'));
  return spawnNode([join(dirname(builtMain), `${script}.js`)], cwd, env);
}

/** `node args` with only PATH and `env`, its output kept for assertions. */
export function spawnNode(args: string[], cwd: string, env: Record<string, string>): RunningProcess {
  const child = spawn(process.execPath, args, {
    cwd,
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout?.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (err += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolveExit) =>
    child.once('exit', (code, signal) => resolveExit({ code, signal })),
  );
  return { child, stdout: () => out, stderr: () => err, exited };
}

export async function waitForStatus(url: string, status: number, timeoutMs = 20_000): Promise<Response> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(2_000) });
      if (res.status === status) return res;
      last = res.status;
    } catch (error) {
      last = error;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${url} did not answer ${status} within ${timeoutMs} ms (last: ${String(last)})`);
}

/** A JWT secret that passes the production checks (tests run the built app with NODE_ENV=production). */
export const STRONG_SECRET = 'q7V2mXk9LpR4tW8zN3bY6cF1hJ5sD0gA';

/**
 * Starts the built API in production mode on a free loopback port; `env` adds to or overrides that.
 * Returns the process and its base URL (not yet waited for: use `waitForStatus`).
 */
export async function startBuiltApi(env: Record<string, string>): Promise<{ proc: RunningProcess; base: string }> {
  const port = await freePort();
  const proc = runBuiltApi({
    NODE_ENV: 'production',
    JWT_SECRET: STRONG_SECRET,
    HOST: '127.0.0.1',
    PORT: String(port),
    // Production refuses an open /metrics and hides readiness details unless told otherwise; the tests read both.
    METRICS_PUBLIC: 'true',
    HEALTH_DETAILS: 'true',
    ...env,
  });
  return { proc, base: `http://127.0.0.1:${port}` };
}

/** Logs the bootstrap admin in over HTTP and creates one product; returns the admin's access token. */
export async function adminWithProduct(
  base: string,
  admin: { email: string; password: string },
  product: { sku: string; name: string; priceCents: number; currency: string; stock: number },
): Promise<string> {
  const login = await fetch(`${base}/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(admin),
  });
  if (login.status !== 200) throw new Error(`admin login answered ${login.status}: ${await login.text()}`);
  const token = ((await login.json()) as { accessToken: string }).accessToken;
  const created = await fetch(`${base}/v1/products`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify(product),
  });
  if (created.status !== 201) throw new Error(`product creation answered ${created.status}: ${await created.text()}`);
  return token;
}

/** The JSON lines a process wrote to stdout (other lines are skipped). */
export function jsonLogLines(proc: RunningProcess): Array<Record<string, unknown>> {
  return proc
    .stdout()
    .split('\n')
    .flatMap((line) => {
      if (!line.startsWith('{')) return [];
      try {
        return [JSON.parse(line) as Record<string, unknown>];
      } catch {
        return [];
      }
    });
}

/** One GET on a connection of its own (no keep-alive), so that each request is a new connection to accept. */
export function getOnNewConnection(
  url: string,
  headers: Record<string, string> = {},
  timeoutMs = 5_000,
): Promise<{ status: number; body: string }> {
  return new Promise((resolveResponse, reject) => {
    const req = httpRequest(url, { agent: false, headers, timeout: timeoutMs }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolveResponse({ status: res.statusCode ?? 0, body }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`GET ${url}: no answer within ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end();
  });
}

/** Whether a process with this pid exists (signal 0 checks without sending anything). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Cluster mode: the workers the primary has reported listening so far, oldest first. */
export function listeningWorkers(proc: RunningProcess): Array<{ worker: number; pid: number }> {
  return jsonLogLines(proc)
    .filter(
      (line) =>
        line.context === 'ClusterPrimary' && line.workerPid !== undefined && / listening$/.test(String(line.msg)),
    )
    .map((line) => ({ worker: Number(line.worker), pid: Number(line.workerPid) }));
}

/** Waits until `check` returns a value other than undefined (polling every 50 ms). */
export async function eventually<T>(what: string, check: () => T | undefined, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * Runs Stoplight Prism as a validating proxy in front of `upstream`: `prism proxy <document> <upstream>` on a free
 * loopback port, without `--errors` (so invalid requests still reach the app, and the app's own error paths are what
 * get checked) and without Prism's own CORS answers. Resolves once Prism listens; every answer then carries what Prism
 * found wrong with the request or the response in its `sl-violations` header.
 */
export async function startPrismProxy(
  document: string,
  upstream: string,
  timeoutMs = 30_000,
): Promise<{ proc: RunningProcess; base: string; stop: () => Promise<void> }> {
  const port = await freePort();
  const cli = join(repoRoot, 'node_modules', '@stoplight', 'prism-cli', 'dist', 'index.js');
  const args = [cli, 'proxy', document, upstream, '--port', String(port), '--host', '127.0.0.1', '--cors=false'];
  const proc = spawnNode(args, repoRoot, { NODE_ENV: 'production' });
  const { child, exited } = proc;
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
  };
  const deadline = Date.now() + timeoutMs;
  while (!/listening on/i.test(proc.stdout())) {
    if (child.exitCode !== null || Date.now() > deadline) {
      await stop();
      throw new Error(`prism proxy did not start within ${timeoutMs} ms:\n${proc.stdout()}\n${proc.stderr()}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return { proc, base: `http://127.0.0.1:${port}`, stop };
}
