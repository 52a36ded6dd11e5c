import { describe, expect, it } from 'vitest';
import { findJsonViolation, type JsonLimits } from './json-limits';

const limits: JsonLimits = { maxDepth: 4, maxKeys: 3, maxArrayLength: 3, maxNodes: 20, maxStringLength: 10 };
const nested = (depth: number): unknown => JSON.parse('['.repeat(depth) + ']'.repeat(depth));

describe('JSON shape limits', () => {
  it('accepts a value within every limit', () => {
    expect(findJsonViolation({ a: [1, 2, { b: 'short' }], c: null, d: true }, limits)).toBeUndefined();
  });

  it('refuses nesting beyond the depth, naming where', () => {
    expect(findJsonViolation(nested(4), limits)).toBeUndefined();
    expect(findJsonViolation({ a: { b: { c: {} } } }, limits)).toBeUndefined();
    expect(findJsonViolation({ a: { b: { c: { d: [] } } } }, limits)).toEqual({
      kind: 'depth',
      path: 'a.b.c.d',
      limit: 4,
    });
  });

  it('walks 100,000 levels without recursion and stops at the limit', () => {
    expect(findJsonViolation(nested(100_000), limits)).toMatchObject({ kind: 'depth', limit: 4 });
  });

  it('refuses too many keys, too many items, too many values in all', () => {
    expect(findJsonViolation({ a: 1, b: 2, c: 3, d: 4 }, limits)).toEqual({ kind: 'keys', path: '$', limit: 3 });
    expect(findJsonViolation({ items: [1, 2, 3, 4] }, limits)).toEqual({ kind: 'array', path: 'items', limit: 3 });
    const wide = {
      a: [
        [1, 2, 3],
        [1, 2, 3],
        [1, 2, 3],
      ],
      b: [
        [1, 2, 3],
        [1, 2, 3],
      ],
    };
    expect(findJsonViolation(wide, limits)).toEqual({ kind: 'nodes', path: '$', limit: 20 });
  });

  it('refuses long strings, in values and in keys', () => {
    expect(findJsonViolation({ name: 'x'.repeat(11) }, limits)).toEqual({ kind: 'string', path: 'name', limit: 10 });
    expect(findJsonViolation({ ['k'.repeat(11)]: 1 }, limits)).toMatchObject({ kind: 'string' });
  });

  it('refuses lone surrogates (which UTF-8 cannot carry) and names the field, keeping real pairs', () => {
    expect(findJsonViolation({ email: 'a\ud800b' }, limits)).toEqual({ kind: 'unicode', path: 'email' });
    expect(findJsonViolation({ items: [{ name: '\udc00' }] }, limits)).toEqual({
      kind: 'unicode',
      path: 'items[0].name',
    });
    expect(findJsonViolation({ '\ud83d': 1 }, limits)).toEqual({ kind: 'unicode', path: '\ud83d' });
    expect(findJsonViolation({ emoji: '😀' }, limits)).toBeUndefined();
  });

  it('treats primitives and null at the top as fine', () => {
    for (const value of [null, 1, true, 'text']) expect(findJsonViolation(value, limits)).toBeUndefined();
  });
});
