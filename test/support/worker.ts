import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Type } from '@nestjs/common';
import { jetstream } from '@nats-io/jetstream';
import { connect, headers as natsHeaders } from '@nats-io/transport-node';
import { createWorker, type Worker } from '../../apps/worker/src/create-worker';
import type { WorkerJob } from '../../apps/worker/src/jobs/worker-job';
import { freePort, type RunningProcess, spawnNode, STRONG_SECRET } from './processes';
import { repoRoot } from './repo-files';
import { testConfig } from './test-config';

export const builtWorker = join(repoRoot, 'dist', 'apps', 'worker', 'src', 'main.js');
export const builtRedrive = join(repoRoot, 'dist', 'apps', 'worker', 'src', 'redrive.js');

/** A mail the file transport wrote (one JSON line of `<MAIL_OUTBOX_DIR>/mail.jsonl`). */
export interface SentMail {
  id: string;
  to: { email: string; name: string };
  subject: string;
  meta: { kind: string; eventId: string; event: string; orderId: string };
}

/** A fresh mail directory for one test. */
export const newMailDir = (): string => mkdtempSync(join(tmpdir(), 'worker-mail-'));

/** Every mail written to `dir` so far, in order. */
export function mailsIn(dir: string): SentMail[] {
  const file = join(dir, 'mail.jsonl');
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as SentMail);
}

/** Runs the worker in this process (the same factory as its main.ts) with a probe server on a free port. */
export async function bootTestWorker(
  env: Record<string, string>,
  jobs?: ReadonlyArray<Type<WorkerJob>>,
): Promise<Worker & { base: string }> {
  const worker = await createWorker(testConfig({ WORKER_SHUTDOWN_TIMEOUT_MS: '5000', ...env }), { jobs, port: 0 });
  return { ...worker, base: `http://127.0.0.1:${worker.port}` };
}

function spawnBuilt(script: string, args: string[], env: Record<string, string>): RunningProcess {
  if (!existsSync(script)) {
    throw new Error(`${script} is missing: run "npm run build" first (npm test does it through pretest)`);
  }
  return spawnNode([script, ...args], mkdtempSync(join(tmpdir(), 'worker-proc-')), env);
}

/** Starts the BUILT worker in production mode on a free loopback port (not yet waited for: poll `/health/ready`). */
export async function startBuiltWorker(env: Record<string, string>): Promise<{ proc: RunningProcess; base: string }> {
  const port = await freePort();
  const proc = spawnBuilt(builtWorker, [], {
    NODE_ENV: 'production',
    JWT_SECRET: STRONG_SECRET,
    HOST: '127.0.0.1',
    WORKER_PORT: String(port),
    METRICS_PUBLIC: 'true',
    HEALTH_DETAILS: 'true',
    ...env,
  });
  return { proc, base: `http://127.0.0.1:${port}` };
}

/** Runs the built re-drive command to its end: `node redrive.js <job> [--limit N]`. */
export async function runRedrive(
  env: Record<string, string>,
  args: string[],
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const proc = spawnBuilt(builtRedrive, args, { NODE_ENV: 'test', ...env });
  const { code } = await proc.exited;
  return { code, stdout: proc.stdout(), stderr: proc.stderr() };
}

/** The value of one series (the sum over the lines that contain every label given) in a /metrics text. */
export function seriesValue(metrics: string, name: string, labels: Record<string, string> = {}): number {
  return metrics
    .split('\n')
    .filter((line) => line.startsWith(`${name}{`) || line.startsWith(`${name} `))
    .filter((line) => Object.entries(labels).every(([key, value]) => line.includes(`${key}="${value}"`)))
    .reduce((sum, line) => sum + Number(line.split(' ').pop()), 0);
}

/** Publishes one domain event to JetStream as the outbox relay would (body and headers), with the given message id. */
export async function publishEvent(
  url: string,
  subject: string,
  event: { id: string; name: string; version: number; aggregateType: string; aggregateId: string; payload: object },
  msgId = event.id,
): Promise<void> {
  const client = await connect({ servers: url, timeout: 2_000 });
  try {
    const headers = natsHeaders();
    headers.set('Event-Name', event.name);
    headers.set('Event-Version', String(event.version));
    await jetstream(client).publish(subject, JSON.stringify({ ...event, occurredAt: new Date().toISOString() }), {
      msgID: msgId,
      headers,
    });
  } finally {
    await client.close();
  }
}

/** Polls until `check` resolves true (every 50 ms), or throws after `ms`. */
export async function until(what: string, check: () => boolean | Promise<boolean>, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
