import 'reflect-metadata';
import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect, headers as natsHeaders } from '@nats-io/transport-node';
import { ConfigValidationError, loadConfig } from '@app/core';
import { DLQ_HEADERS, dlqRoute, REDRIVE_JOB_HEADER } from './consumers/streams';

const USAGE = 'usage: npm run worker:redrive -- <job> [--limit N]';

/**
 * Re-drives a job's dead letters: each message of `<prefix.>dlq.<job>.>` (oldest first, at most --limit) is
 * published again to its original subject, for that job only (header Redrive-Job; other jobs ack it unseen), with a
 * new message id (`<event id>:redrive:<dlq seq>`, so JetStream does not drop it as a duplicate), then deleted from
 * the DLQ. The job's inbox still applies each event once.
 */
async function main(): Promise<number> {
  if (existsSync('.env')) process.loadEnvFile('.env');
  const { positionals, values } = parseArgs({
    args: process.argv.slice(2),
    allowPositionals: true,
    options: { limit: { type: 'string' } },
  });
  const job = positionals[0];
  const limit = values.limit === undefined ? Infinity : Number(values.limit);
  if (!job || positionals.length > 1 || !(limit > 0) || !Number.isInteger(limit === Infinity ? 1 : limit)) {
    process.stderr.write(`${USAGE}\n`);
    return 2;
  }
  const config = loadConfig(process.env);
  if (!config.nats.url) {
    process.stderr.write('NATS_URL is required\n');
    return 1;
  }
  const client = await connect({ servers: config.nats.url.split(',').map((s) => s.trim()), timeout: 5_000 });
  try {
    const manager = await jetstreamManager(client);
    const js = jetstream(client);
    const dlq = dlqRoute(config.nats.subjectPrefix);
    const jobRoot = `${dlq.subjectRoot}.${job}.`;
    let info;
    try {
      info = await manager.streams.info(dlq.stream);
    } catch {
      process.stdout.write(`No dead letters (stream ${dlq.stream} does not exist)\n`);
      return 0;
    }
    let redriven = 0;
    for (let seq = info.state.first_seq; seq <= info.state.last_seq && redriven < limit; seq++) {
      const stored = await manager.streams.getMessage(dlq.stream, { seq }).catch(() => null);
      if (!stored?.subject.startsWith(jobRoot)) continue;
      const original = stored.header?.get(DLQ_HEADERS.subject);
      if (!original) continue;
      const headers = natsHeaders();
      for (const [key, list] of stored.header ?? []) {
        if (key.startsWith('Nats-') || key.startsWith('Dlq-')) continue;
        for (const value of list) headers.append(key, value);
      }
      headers.set(REDRIVE_JOB_HEADER, job);
      let eventId = `seq-${seq}`;
      try {
        eventId = String((stored.json<{ id?: unknown }>().id as string | undefined) ?? eventId);
      } catch {
        // not JSON: the job will dead-letter it again
      }
      await js.publish(original, stored.data, { headers, msgID: `${eventId}:redrive:${dlq.stream}:${seq}` });
      await manager.streams.deleteMessage(dlq.stream, seq);
      redriven++;
      process.stdout.write(`re-drove ${eventId} to ${original}\n`);
    }
    process.stdout.write(`${redriven} message(s) re-driven for ${job}\n`);
    return 0;
  } finally {
    await client.close();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    const message = error instanceof ConfigValidationError || error instanceof Error ? error.message : String(error);
    process.stderr.write(`Re-drive failed: ${message}\n`);
    process.exit(1);
  },
);
