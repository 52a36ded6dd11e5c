import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Parser } from '@asyncapi/parser';
import { describe, expect, it } from 'vitest';
import '@app/contracts';
import { definedEvents } from '@app/events';
import { buildAsyncApiDocument } from '../../apps/api/src/asyncapi/asyncapi-document';

const committed = readFileSync(resolve(__dirname, '..', '..', 'asyncapi.json'), 'utf8');

/** asyncapi.json: the AsyncAPI 3.1 document of the events relayed to NATS JetStream. */
describe('asyncapi.json (the relayed events)', () => {
  it('is what `npm run asyncapi` generates from the event definitions (run it after changing an event)', () => {
    expect(JSON.parse(committed)).toEqual(JSON.parse(JSON.stringify(buildAsyncApiDocument())));
  });

  it('is a valid AsyncAPI document: no error and no warning from the AsyncAPI parser', async () => {
    const diagnostics = await new Parser().validate(committed);
    expect(diagnostics.map((d) => `${d.code} at ${d.path.join('.')}: ${d.message}`)).toEqual([]);
  });

  it('has one message per event version, on its subject, with every payload field', async () => {
    const { document } = await new Parser().parse(committed);
    expect(document).toBeDefined();
    const events = definedEvents().filter((type) => !type.name.startsWith('test-'));
    const messages = document!.allMessages().all();
    expect(messages.map((m) => m.name()).sort()).toEqual(events.map((t) => `${t.name}@${t.version}`).sort());
    for (const message of messages) {
      const payload = message.payload()!.properties()!.payload!;
      expect(Object.keys(payload.properties() ?? {}).length, message.name()).toBeGreaterThan(0);
    }
    for (const channel of document!.channels().all()) {
      expect(channel.address()).toMatch(/^[a-z]+s\.[a-z-]+$/);
      for (const message of channel.messages().all()) expect(message.name()).toMatch(/^[a-z]+\.[a-z-]+@\d+$/);
    }
  });
});
