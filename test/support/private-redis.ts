import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { accessSync, constants, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './processes';

/** `redis-server` on PATH, else Debian's /usr/bin/redis-server; undefined when neither is executable. */
function findBinary(): string | undefined {
  const candidates = (process.env.PATH ?? '')
    .split(':')
    .filter(Boolean)
    .map((dir) => join(dir, 'redis-server'));
  candidates.push('/usr/bin/redis-server');
  return candidates.find((path) => {
    try {
      accessSync(path, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

/** One inline PING over TCP; resolves true on `+PONG` within `timeoutMs`, false otherwise (refused, no answer, error). */
function ping(port: number, timeoutMs: number): Promise<boolean> {
  return new Promise((resolvePing) => {
    let answer = '';
    const socket = connect({ host: '127.0.0.1', port });
    const done = (ok: boolean): void => {
      clearTimeout(timer);
      socket.destroy();
      resolvePing(ok);
    };
    const timer = setTimeout(() => done(false), timeoutMs);
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.on('data', (chunk: Buffer) => {
      answer += chunk.toString();
      if (answer.includes('\r\n')) done(answer.startsWith('+PONG'));
    });
    socket.once('error', () => done(false));
    socket.once('close', () => done(false));
  });
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * A throw-away `redis-server` on a free loopback port, in a temp dir, without persistence (`--save "" --appendonly no`),
 * run in the foreground as this test file's child process: never the machine's shared Redis. `stop`/`start` restart it on
 * the same port (empty, as nothing is persisted); `freeze`/`thaw` SIGSTOP/SIGCONT it (connections stay open, nothing answers).
 */
export class PrivateRedis {
  private child: ChildProcess | undefined;
  private exited: Promise<void> = Promise.resolve();
  private output = '';
  private frozen = false;
  private destroyed = false;

  private constructor(
    private readonly binary: string,
    readonly root: string,
    readonly port: number,
  ) {
    // Should the test process die before afterAll, do not leave the server running (or stopped by SIGSTOP).
    process.once('exit', () => this.destroySync());
  }

  /** The server binary, or undefined: a synchronous check for `describe.skipIf` at collection time. */
  static binary(): string | undefined {
    return findBinary();
  }

  /** Why no private Redis can run here (the caller skips its tests with that reason), or undefined when one can. */
  static unavailableReason(): string | undefined {
    const binary = findBinary();
    if (!binary) return 'redis-server not found on PATH nor at /usr/bin/redis-server';
    try {
      execFileSync(binary, ['--version'], { timeout: 10_000, stdio: ['ignore', 'pipe', 'pipe'] });
      return undefined;
    } catch (error) {
      return `${binary} --version failed: ${String((error as Error).message).split('\n')[0]}`;
    }
  }

  /** Starts a fresh server on a free port and waits until it answers PING; throws (with its log) when it does not. */
  static async start(): Promise<PrivateRedis> {
    const binary = findBinary();
    if (!binary) throw new Error('redis-server not found on PATH nor at /usr/bin/redis-server');
    const root = mkdtempSync(join(tmpdir(), 'api-private-redis-'));
    const redis = new PrivateRedis(binary, root, await freePort());
    try {
      await redis.start();
      return redis;
    } catch (error) {
      await redis.destroy();
      throw error;
    }
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  /** The server's pid while it runs. */
  get pid(): number | undefined {
    return this.running ? this.child?.pid : undefined;
  }

  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** (Re)starts the server on the same port and waits (at most `timeoutMs`) until it answers PING. */
  async start(timeoutMs = 10_000): Promise<void> {
    if (this.destroyed) throw new Error('PrivateRedis: destroyed');
    if (this.running) throw new Error(`PrivateRedis: already running (pid ${this.child?.pid})`);
    const args = [
      '--port',
      String(this.port),
      '--bind',
      '127.0.0.1',
      '--daemonize',
      'no',
      '--save',
      '',
      '--appendonly',
      'no',
      '--dir',
      this.root,
      '--logfile',
      join(this.root, 'redis.log'),
    ];
    const child = spawn(this.binary, args, { cwd: this.root, stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    this.frozen = false;
    child.stdout?.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
    this.exited = new Promise((resolveExit) => {
      if (child.exitCode !== null || child.signalCode !== null) resolveExit();
      else child.once('exit', () => resolveExit());
    });
    const spawnError = new Promise<Error>((resolveError) => child.once('error', resolveError));
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (await ping(this.port, 500)) return;
      const failed = await Promise.race([spawnError, sleep(50).then(() => undefined)]);
      if (failed || !this.running || Date.now() > deadline) {
        const why = failed
          ? failed.message
          : this.running
            ? `no PONG within ${timeoutMs} ms`
            : `exited (${child.exitCode ?? child.signalCode})`;
        if (this.running) child.kill('SIGKILL');
        await this.exited;
        throw new Error(`private redis-server on port ${this.port}: ${why}\n${this.log().slice(-2000)}`);
      }
    }
  }

  /** Stops the server (SIGTERM: a clean shutdown, nothing saved) and waits for it to exit; SIGKILL after `timeoutMs`. */
  async stop(timeoutMs = 5_000): Promise<void> {
    if (!this.running) return;
    this.thaw();
    this.child!.kill('SIGTERM');
    const exited = await Promise.race([this.exited.then(() => true), sleep(timeoutMs).then(() => false)]);
    if (!exited) {
      this.child!.kill('SIGKILL');
      await this.exited;
    }
  }

  /** SIGSTOP: the kernel still accepts connections and buffers commands, but nothing is answered. */
  freeze(): void {
    if (!this.running) throw new Error('PrivateRedis: not running');
    this.child!.kill('SIGSTOP');
    this.frozen = true;
  }

  thaw(): void {
    if (!this.frozen) return;
    this.frozen = false;
    if (this.running) this.child!.kill('SIGCONT');
  }

  /** The server's log and console output, for failure messages. */
  log(): string {
    let file = '';
    try {
      file = readFileSync(join(this.root, 'redis.log'), 'utf8');
    } catch {
      // not written (yet), or removed
    }
    return this.output ? `${file}${this.output}` : file;
  }

  /** Thaws, kills and removes the directory; safe in any state (failed start, frozen, stopped), more than once. */
  async destroy(): Promise<void> {
    this.thaw();
    if (this.running) {
      this.child!.kill('SIGKILL');
      await this.exited;
    }
    this.destroyed = true;
    rmSync(this.root, { recursive: true, force: true });
  }

  /** The synchronous last resort at process exit. */
  private destroySync(): void {
    try {
      if (this.running) {
        this.child!.kill('SIGCONT');
        this.child!.kill('SIGKILL');
      }
    } catch {
      // gone meanwhile
    }
    this.destroyed = true;
    rmSync(this.root, { recursive: true, force: true });
  }
}
