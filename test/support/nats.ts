import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { connect as tcpConnect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jetstreamManager, type JetStreamManager, type StoredMsg } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { freePort } from './processes';

const natsUrl = process.env.TEST_NATS_URL;

/** Why the NATS tier cannot run here, or undefined when it can. */
export const natsSkipReason: string | undefined = natsUrl
  ? undefined
  : 'TEST_NATS_URL is not set; run with TEST_NATS_URL=nats://127.0.0.1:4222 (JetStream enabled) to include NATS';

/** A subject and stream prefix of this test's own on the shared server, and a JetStream manager to read it. */
export interface TestNats {
  env: { NATS_URL: string; NATS_SUBJECT_PREFIX: string };
  prefix: string;
  /** Every message of a stream, in stream order. */
  messages(stream: string): Promise<StoredMsg[]>;
  /** Deletes this test's streams and closes the connection. */
  cleanup(): Promise<void>;
  /** Closes the connection only (a private server that goes away with its streams). */
  close(): Promise<void>;
}

export async function openTestNats(url = natsUrl): Promise<TestNats> {
  if (!url) throw new Error(natsSkipReason);
  const prefix = `t${randomBytes(5).toString('hex')}`;
  const client: NatsConnection = await connect({ servers: url, timeout: 2_000 });
  const manager: JetStreamManager = await jetstreamManager(client);
  const streams = async (): Promise<string[]> => {
    const names: string[] = [];
    for await (const name of manager.streams.names()) if (name.startsWith(prefix.toUpperCase())) names.push(name);
    return names;
  };
  return {
    env: { NATS_URL: url, NATS_SUBJECT_PREFIX: prefix },
    prefix,
    async messages(stream) {
      const info = await manager.streams.info(stream);
      const out: StoredMsg[] = [];
      for (let seq = info.state.first_seq; seq <= info.state.last_seq; seq++) {
        const message = await manager.streams.getMessage(stream, { seq });
        if (message) out.push(message);
      }
      return out;
    },
    async cleanup() {
      for (const name of await streams()) await manager.streams.delete(name).catch(() => undefined);
      await client.close();
    },
    async close() {
      await client.close();
    },
  };
}

const reachable = (port: number): Promise<boolean> =>
  new Promise((resolve) => {
    const socket = tcpConnect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });

/**
 * A throw-away `nats-server -js` on a free loopback port with its own store directory, as this test's child process:
 * never the machine's shared server. `stop` and `start` restart it on the same port and store (streams survive).
 */
export class PrivateNats {
  private child: ChildProcess | undefined;
  private constructor(
    readonly port: number,
    private readonly storeDir: string,
  ) {}

  static async start(): Promise<PrivateNats> {
    const nats = new PrivateNats(await freePort(), mkdtempSync(join(tmpdir(), 'private-nats-')));
    await nats.start();
    return nats;
  }

  get url(): string {
    return `nats://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    const binary = existsSync('/usr/sbin/nats-server') ? '/usr/sbin/nats-server' : 'nats-server';
    this.child = spawn(binary, ['-js', '-a', '127.0.0.1', '-p', String(this.port), '-sd', this.storeDir], {
      stdio: 'ignore',
    });
    const deadline = Date.now() + 10_000;
    while (!(await reachable(this.port))) {
      if (Date.now() > deadline) throw new Error('nats-server did not start');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  async stop(): Promise<void> {
    const child = this.child;
    this.child = undefined;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  }

  async destroy(): Promise<void> {
    await this.stop();
    rmSync(this.storeDir, { recursive: true, force: true });
  }
}
