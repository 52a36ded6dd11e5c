// Process launcher: every server is its own process, pinned to the server CPU when taskset exists.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const running = new Set();
// Whatever happens to the runner, no server outlives it.
process.on('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

export async function freePort() {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolvePort(port));
    });
  });
}

/** `command args` on `cpu` (taskset execs the command: the pid stays the command's). */
export function pinned(cpu, command, args) {
  return cpu === undefined ? [command, args] : ['taskset', ['-c', cpu, command, ...args]];
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * Starts `node script` with only PATH and `env` in an empty working directory (no developer `.env` leaks in),
 * listening on a free port given as `portVariable` (PORT; the worker's is WORKER_PORT), then waits until `readyPath`
 * answers 200. Returns its base URL, pid, the time from spawn to ready, and stop().
 */
export async function startServer({
  name,
  script,
  env,
  cpu,
  readyPath = '/health/live',
  timeoutMs = 60_000,
  nodeArgs = [],
  portVariable = 'PORT',
}) {
  const port = await freePort();
  const cwd = mkdtempSync(join(tmpdir(), `bench-${name}-`));
  const [command, args] = pinned(cpu, process.execPath, [...nodeArgs, script]);
  const started = performance.now();
  const child = spawn(command, args, {
    cwd,
    env: { PATH: process.env.PATH ?? '', HOST: '127.0.0.1', [portVariable]: String(port), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  let output = '';
  const keep = (chunk) => (output = (output + chunk.toString()).slice(-20_000));
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const exited = new Promise((resolveExit) => child.once('exit', (code, signal) => resolveExit({ code, signal })));
  exited.then(() => running.delete(child));

  const base = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + timeoutMs;
  let exitedEarly;
  exited.then((result) => (exitedEarly = result));
  const fail = (message) => {
    child.kill('SIGKILL');
    rmSync(cwd, { recursive: true, force: true });
    return new Error(`${name} ${message}:\n${output}`);
  };
  for (;;) {
    if (exitedEarly) throw fail(`exited (${JSON.stringify(exitedEarly)}) before ready`);
    if (Date.now() > deadline) throw fail(`was not ready within ${timeoutMs} ms`);
    const ok = await fetch(`${base}${readyPath}`, { signal: AbortSignal.timeout(1_000) }).then(
      (res) => res.status === 200,
      () => false,
    );
    if (ok) break;
    await sleep(20);
  }
  const readyMs = performance.now() - started;

  return {
    name,
    base,
    pid: child.pid,
    readyMs,
    output: () => output,
    /** Resident set size in MB, from /proc (undefined where there is no /proc). */
    rssMb() {
      try {
        const kb = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))?.[1];
        return kb === undefined ? undefined : Number(kb) / 1024;
      } catch {
        return undefined;
      }
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
        await exited;
        clearTimeout(timer);
      }
      rmSync(cwd, { recursive: true, force: true });
    },
  };
}

/**
 * Runs a command to completion (pinned to `cpu`), returning its stdout (with `withStderr`, `{ stdout, stderr }`);
 * rejects with its output on failure.
 */
export function runToEnd(command, args, { cpu, env, cwd, withStderr = false } = {}) {
  const [cmd, argv] = pinned(cpu, command, args);
  return new Promise((resolveRun, reject) => {
    const child = spawn(cmd, argv, { cwd, env: env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    running.add(child);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.once('error', reject);
    child.once('exit', (code) => {
      running.delete(child);
      if (code === 0) resolveRun(withStderr ? { stdout, stderr } : stdout);
      else reject(new Error(`${command} ${args.join(' ')} exited ${code}:\n${stderr || stdout}`));
    });
  });
}
