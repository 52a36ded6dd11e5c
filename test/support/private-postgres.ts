import { execFile, execFileSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Where the machine's PostgreSQL server binaries may live (PATH first, then Debian's layout, newest first). */
function findBinDir(): string | undefined {
  const candidates: string[] = [];
  for (const dir of (process.env.PATH ?? '').split(':')) if (dir) candidates.push(dir);
  const debian = '/usr/lib/postgresql';
  if (existsSync(debian)) {
    try {
      const versions = readdirSync(debian);
      for (const v of versions.sort((a, b) => Number(b) - Number(a))) candidates.push(join(debian, v, 'bin'));
    } catch {
      // unreadable: ignore
    }
  }
  return candidates.find((dir) => ['initdb', 'pg_ctl', 'postgres'].every((bin) => existsSync(join(dir, bin))));
}

/** initdb refuses to run as root: run the binaries as the `postgres` OS user then. */
const asRoot = typeof process.getuid === 'function' && process.getuid() === 0;

function osUser(name: string): { uid: number; gid: number } | undefined {
  try {
    const line = readFileSync('/etc/passwd', 'utf8')
      .split('\n')
      .find((l) => l.startsWith(`${name}:`));
    if (!line) return undefined;
    const [, , uid, gid] = line.split(':');
    return { uid: Number(uid), gid: Number(gid) };
  } catch {
    return undefined;
  }
}

/**
 * A throw-away PostgreSQL cluster in a temp dir on a free port, owned by this test file only (never the machine's shared server).
 * `stop`/`start` restart it on the same port and data; `freeze`/`thaw` SIGSTOP/SIGCONT the postmaster and all its backends.
 */
export class PrivatePostgres {
  private frozen: number[] = [];

  private constructor(
    private readonly binDir: string,
    readonly root: string,
    public port: number,
  ) {}

  get dataDir(): string {
    return join(this.root, 'data');
  }

  get url(): string {
    return `postgres://postgres@127.0.0.1:${this.port}/postgres`;
  }

  /**
   * Starts a fresh cluster, or explains why it cannot (the caller skips its tests with that reason). Synchronous so that a spec
   * can decide `describe.skipIf` at collection time without top-level await (the test files are compiled as CommonJS).
   */
  static tryStart(): { pg: PrivatePostgres } | { reason: string } {
    const binDir = findBinDir();
    if (!binDir) return { reason: 'PostgreSQL server binaries (initdb, pg_ctl, postgres) not found' };
    if (asRoot && !osUser('postgres'))
      return { reason: 'running as root and there is no "postgres" OS user for initdb' };
    const root = mkdtempSync(join(tmpdir(), 'api-private-pg-'));
    const pg = new PrivatePostgres(binDir, root, 0);
    try {
      if (asRoot) {
        const user = osUser('postgres')!;
        chownSync(root, user.uid, user.gid);
      }
      pg.execSync('initdb', ['-D', pg.dataDir, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync']);
      // A free port now; should another process take it before the server binds, pg_ctl fails and the file is skipped.
      pg.port = PrivatePostgres.freePortSync();
      pg.execSync('pg_ctl', pg.startArgs());
      // Should the test process die before afterAll, do not leave the server running.
      process.once('exit', () => pg.destroySync());
      return { pg };
    } catch (error) {
      pg.destroySync();
      const err = error as { message?: string; stderr?: Buffer | string };
      const detail = (String(err.stderr ?? '').trim() || String(err.message ?? error))
        .split('\n')
        .slice(0, 3)
        .join(' ');
      return { reason: `a private PostgreSQL could not be started: ${detail}` };
    }
  }

  private static freePortSync(): number {
    const script =
      "const s=require('net').createServer();s.listen(0,'127.0.0.1',()=>{const p=s.address().port;s.close(()=>process.stdout.write(String(p)))})";
    return Number(execFileSync(process.execPath, ['-e', script], { encoding: 'utf8', timeout: 10_000 }));
  }

  private command(bin: string, args: string[]): [string, string[]] {
    const path = join(this.binDir, bin);
    return asRoot ? ['runuser', ['-u', 'postgres', '--', path, ...args]] : [path, args];
  }

  private execSync(bin: string, args: string[]): void {
    const [file, argv] = this.command(bin, args);
    execFileSync(file, argv, { cwd: this.root, timeout: 30_000, stdio: ['ignore', 'pipe', 'pipe'] });
  }

  private startArgs(): string[] {
    const options = `-p ${this.port} -k ${this.root} -c listen_addresses=127.0.0.1 -c fsync=off`;
    return ['-D', this.dataDir, '-o', options, '-l', join(this.root, 'log'), 'start', '-w', '-t', '20'];
  }

  private async exec(bin: string, args: string[]): Promise<string> {
    const [file, argv] = this.command(bin, args);
    const { stdout } = await run(file, argv, { cwd: this.root, timeout: 30_000 });
    return stdout;
  }

  async start(): Promise<void> {
    await this.exec('pg_ctl', this.startArgs());
  }

  async stop(mode: 'fast' | 'immediate' = 'fast'): Promise<void> {
    await this.exec('pg_ctl', ['-D', this.dataDir, '-m', mode, 'stop', '-w', '-t', '20']);
  }

  /** The postmaster and all its children (backends, checkpointer, walwriter...). */
  async pids(): Promise<number[]> {
    const pidFile = join(this.dataDir, 'postmaster.pid');
    if (!existsSync(pidFile)) return [];
    const postmaster = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
    if (!Number.isInteger(postmaster) || postmaster <= 0) return [];
    let children: number[] = [];
    try {
      const { stdout } = await run('pgrep', ['-P', String(postmaster)]);
      children = stdout.split('\n').filter(Boolean).map(Number);
    } catch {
      // pgrep exits 1 when there are no children
    }
    return [postmaster, ...children];
  }

  /** SIGSTOP the whole cluster: connections are accepted by the kernel but nothing answers. */
  async freeze(): Promise<void> {
    const pids = await this.pids();
    // Children first, so that the postmaster does not notice anything while it is being stopped.
    for (const pid of [...pids].reverse()) {
      try {
        process.kill(pid, 'SIGSTOP');
        this.frozen.push(pid);
      } catch {
        // gone meanwhile
      }
    }
  }

  thaw(): void {
    for (const pid of this.frozen.splice(0)) {
      try {
        process.kill(pid, 'SIGCONT');
      } catch {
        // gone meanwhile
      }
    }
  }

  /** The server's log, for failure messages. */
  log(): string {
    try {
      return readFileSync(join(this.root, 'log'), 'utf8');
    } catch {
      return '';
    }
  }

  /** Last resort (failed start, process exit): thaws, stops whatever may run and removes the directory, synchronously. */
  private destroySync(): void {
    this.thaw();
    if (existsSync(join(this.dataDir, 'postmaster.pid'))) {
      try {
        this.execSync('pg_ctl', ['-D', this.dataDir, '-m', 'immediate', 'stop', '-w', '-t', '20']);
      } catch {
        // not running
      }
    }
    rmSync(this.root, { recursive: true, force: true });
  }

  /** Thaws, stops (immediately) and removes the cluster; safe to call in any state, more than once. */
  async destroy(): Promise<void> {
    this.thaw();
    if (existsSync(join(this.dataDir, 'postmaster.pid'))) {
      try {
        await this.stop('immediate');
      } catch {
        for (const pid of await this.pids()) {
          try {
            process.kill(pid, 'SIGKILL');
          } catch {
            // gone
          }
        }
      }
    }
    rmSync(this.root, { recursive: true, force: true });
  }
}
