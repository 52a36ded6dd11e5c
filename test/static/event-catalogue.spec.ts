import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { getMetadataStorage } from 'class-validator';
import { describe, expect, it } from 'vitest';
import '@app/contracts';
import { defineEvent, definedEvents } from '@app/events';

const doc = readFileSync(resolve(__dirname, '..', '..', 'docs', 'events.md'), 'utf8');
const catalogue = doc.slice(doc.indexOf('## Catalogue'));

/** The properties a payload class validates (its schema), inherited ones included. */
const fieldsOf = (payload: new () => object): string[] => [
  ...new Set(
    getMetadataStorage()
      .getTargetValidationMetadatas(payload, '', true, false)
      .map((m) => m.propertyName),
  ),
];

describe('docs/events.md, the event catalogue', () => {
  const events = definedEvents().filter((type) => !type.name.startsWith('test-'));

  it('defines the events the features publish', () => {
    expect(events.map((type) => `${type.name}@${type.version}`)).toEqual([
      'order.cancelled@1',
      'order.placed@1',
      'order.status-changed@1',
      'product.changed@1',
      'review.deleted@1',
      'review.edited@1',
      'review.posted@1',
      'user.registered@1',
    ]);
  });

  it.each(events.map((type) => [`${type.name} v${type.version}`, type] as const))(
    'lists %s with its aggregate and every payload field',
    (_label, type) => {
      expect(catalogue).toContain(`\`${type.name}\` v${type.version}`);
      const section = catalogue.slice(catalogue.indexOf(`\`${type.name}\` v${type.version}`));
      expect(section).toContain(`aggregate \`${type.aggregateType}\``);
      const fields = fieldsOf(type.payload);
      expect(fields.length).toBeGreaterThan(0);
      for (const field of fields) expect(section, `${type.name}.${field}`).toContain(`| \`${field}\``);
    },
  );

  it('refuses a badly named, badly versioned or duplicate definition', () => {
    class Payload {}
    const base = { aggregateType: 'x', payload: Payload, aggregateIdOf: () => 'x', description: '' };
    expect(() => defineEvent({ ...base, name: 'OrderPlaced', version: 1 })).toThrow(/aggregate\.fact/);
    expect(() => defineEvent({ ...base, name: 'order.placed', version: 0 })).toThrow(/version/);
    expect(() => defineEvent({ ...base, name: 'order.placed', version: 1 })).toThrow(/twice/);
  });
});
