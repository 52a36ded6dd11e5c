import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { generateRequestId, isAcceptableRequestId } from './request-id';

const raw = (id?: string) =>
  ({ headers: id === undefined ? {} : { 'x-request-id': id } }) as unknown as IncomingMessage;

describe('request ids', () => {
  it('keeps a well-formed incoming id', () => {
    expect(generateRequestId(raw('abc-123.x:y_z'))).toBe('abc-123.x:y_z');
  });

  it.each(['', ' ', 'x'.repeat(129), 'a b', 'a\nb', '-leading-dash', 'ünïcode'])('replaces %j with a UUID', (id) => {
    expect(isAcceptableRequestId(id)).toBe(false);
    expect(generateRequestId(raw(id))).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('generates distinct ids', () => {
    expect(generateRequestId(raw())).not.toBe(generateRequestId(raw()));
  });
});
