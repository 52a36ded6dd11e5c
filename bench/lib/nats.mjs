// The bench's own NATS subject prefix (S13): a unique NATS_SUBJECT_PREFIX per run on the NATS server at
// BENCH_NATS_URL, whose streams (and their consumers) are deleted at the end.
import { randomBytes } from 'node:crypto';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';

/** A prefix of this run's own on `url`, or `{ skipped }` when no NATS with JetStream answers there. */
export async function createNatsPrefix(url) {
  let client;
  try {
    client = await connect({ servers: url, timeout: 2_000 });
    const manager = await jetstreamManager(client);
    const prefix = `bench-${randomBytes(5).toString('hex')}`;
    const streamPrefix = prefix.toUpperCase().replace(/[^A-Z0-9_]/g, '_');
    return {
      url,
      prefix,
      async cleanup() {
        const names = [];
        for await (const name of manager.streams.names()) if (name.startsWith(`${streamPrefix}_`)) names.push(name);
        for (const name of names) await manager.streams.delete(name).catch(() => undefined);
        await client.close();
        return names.length;
      },
    };
  } catch (error) {
    await client?.close().catch(() => undefined);
    return { skipped: `no NATS with JetStream at ${url} (set BENCH_NATS_URL): ${error.message}` };
  }
}
