import { defaultMetadataStorage } from 'class-transformer/cjs/storage';
import { validationMetadatasToSchemas } from 'class-validator-jsonschema';
import { definedEvents, type EventType, routeOf } from '@app/events';

type Schema = Record<string, unknown>;

const SCHEMA_PREFIX = '#/components/schemas/';

/** `order.status-changed` v1 → `OrderStatusChangedV1`. */
const messageName = (type: Pick<EventType<object>, 'name' | 'version'>): string =>
  type.name
    .split(/[.-]/)
    .map((word) => word[0]!.toUpperCase() + word.slice(1))
    .join('') + `V${type.version}`;

/** The schemas of the payload classes, and of every class they refer to, from their class-validator rules. */
function payloadSchemas(types: ReadonlyArray<EventType<object>>): Record<string, Schema> {
  const all = validationMetadatasToSchemas({
    refPointerPrefix: SCHEMA_PREFIX,
    // `@Type(() => …)` of nested payloads (order lines): their class, not `Array`.
    classTransformerMetadataStorage: defaultMetadataStorage,
  }) as Record<string, Schema>;
  const picked: Record<string, Schema> = {};
  const visit = (name: string): void => {
    if (picked[name] || !all[name]) return;
    picked[name] = all[name];
    for (const ref of JSON.stringify(all[name]).matchAll(/"\$ref":"#\/components\/schemas\/([^"]+)"/g)) visit(ref[1]!);
  };
  for (const type of types) visit(type.payload.name);
  return Object.fromEntries(Object.entries(picked).sort(([a], [b]) => a.localeCompare(b)));
}

/**
 * The AsyncAPI 3.1 document of the events the API publishes to NATS JetStream (the outbox relay): one channel per
 * event subject, one message per event version, the envelope and headers every message has and each payload's
 * schema, generated from the same definitions (`@app/contracts`) the publishers and subscribers use. `npm run
 * asyncapi` writes it to asyncapi.json; test/contract/asyncapi.spec.ts checks it is current and valid.
 */
export function buildAsyncApiDocument(): Schema {
  const types = definedEvents().filter((type) => !type.name.startsWith('test-'));
  const channels: Record<string, Schema> = {};
  const operations: Record<string, Schema> = {};
  const messages: Record<string, Schema> = {};
  for (const type of types) {
    const { stream, subject, domainSubjects } = routeOf(type.name, type.aggregateType, '');
    const name = messageName(type);
    const channel = subject.replace(/[.-]/g, '_');
    channels[channel] ??= {
      address: subject,
      title: subject,
      description: `Stream \`${stream}\` (subjects \`${domainSubjects}\`).`,
      messages: {},
    };
    (channels[channel].messages as Schema)[name] = { $ref: `#/components/messages/${name}` };
    operations[`publish_${channel}`] ??= {
      action: 'send',
      channel: { $ref: `#/channels/${channel}` },
      summary: `The outbox relay publishes \`${type.name}\` once its change committed.`,
      messages: [],
    };
    (operations[`publish_${channel}`].messages as Schema[]).push({ $ref: `#/channels/${channel}/messages/${name}` });
    messages[name] = {
      name: `${type.name}@${type.version}`,
      title: `${type.name} v${type.version}`,
      summary: type.description,
      contentType: 'application/json',
      headers: { $ref: '#/components/schemas/EventHeaders' },
      payload: envelope(type),
    };
  }
  return {
    asyncapi: '3.1.0',
    info: {
      title: 'Nest enterprise backend: domain events',
      version: '1.0.0',
      description:
        'The domain events the API relays from its transactional outbox to NATS JetStream (docs/events.md): ' +
        'one stream per domain, published once the change committed, with the event id as `Nats-Msg-Id` ' +
        '(JetStream drops a re-publish within 10 minutes), in order per aggregate. With `NATS_SUBJECT_PREFIX` set, ' +
        'every subject starts with `<prefix>.` and every stream with `<PREFIX>_`.',
    },
    defaultContentType: 'application/json',
    servers: {
      nats: {
        host: 'localhost:4222',
        protocol: 'nats',
        description: 'NATS with JetStream (`NATS_URL`).',
      },
    },
    channels,
    operations,
    components: {
      messages,
      schemas: {
        EventHeaders: {
          type: 'object',
          required: ['Nats-Msg-Id', 'Event-Name', 'Event-Version', 'Aggregate-Type', 'Aggregate-Id'],
          properties: {
            'Nats-Msg-Id': { type: 'string', format: 'uuid', description: 'The event id (de-duplication)' },
            'Event-Name': { type: 'string' },
            'Event-Version': { type: 'string', pattern: '^[1-9][0-9]*$' },
            'Aggregate-Type': { type: 'string' },
            'Aggregate-Id': { type: 'string' },
          },
        },
        ...payloadSchemas(types),
      },
    },
  };
}

/** The message body: the event's envelope around its payload. */
function envelope(type: EventType<object>): Schema {
  return {
    type: 'object',
    additionalProperties: false,
    required: ['id', 'name', 'version', 'aggregateType', 'aggregateId', 'occurredAt', 'payload'],
    properties: {
      id: { type: 'string', format: 'uuid', description: 'The event id: what consumers de-duplicate on' },
      name: { const: type.name },
      version: { const: type.version },
      aggregateType: { const: type.aggregateType },
      aggregateId: { type: 'string', description: 'Which one: events of one aggregate come in order' },
      occurredAt: { type: 'string', format: 'date-time' },
      payload: { $ref: `${SCHEMA_PREFIX}${type.payload.name}` },
    },
  };
}
