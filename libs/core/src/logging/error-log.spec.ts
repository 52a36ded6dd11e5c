import { describe, expect, it } from 'vitest';
import { ErrorLogBudget, errorSignature, loggableError } from './error-log';

describe('loggableError', () => {
  it('drops what a drizzle or PostgreSQL message says after "params:" or a colon', () => {
    const driver = Object.assign(new Error('invalid input syntax for type uuid: "s3cr3t"'), { code: '22P02' });
    const query = new Error('Failed query: select $1\nparams: s3cr3t', { cause: driver });
    const logged = loggableError(query, true);
    expect(JSON.stringify(logged)).not.toContain('s3cr3t');
    expect(logged.map((e) => e.message)).toEqual(['Failed query: select $1', 'invalid input syntax for type uuid']);
  });

  it('cuts long messages and keeps stacks only when asked', () => {
    const [entry] = loggableError(new Error('x'.repeat(1_000)), false);
    expect(entry.message.length).toBeLessThanOrEqual(301);
    expect(entry.stack).toBeUndefined();
    expect(loggableError(new TypeError('boom'), true)[0].stack).toMatch(/^TypeError: boom\n {4}at /);
  });
});

describe('ErrorLogBudget', () => {
  it('logs the first error of a kind per window, counts the rest, and reports the count with the next', () => {
    let now = 0;
    const budget = new ErrorLogBudget(60_000, 1_000, () => now);
    expect(budget.take('a')).toBe(0);
    for (let i = 0; i < 5_000; i++) expect(budget.take('a')).toBeUndefined();
    expect(budget.take('b')).toBe(0); // another kind has its own window
    now += 60_000;
    expect(budget.take('a')).toBe(5_000);
    expect(budget.take('a')).toBeUndefined();
  });

  it('tracks a bounded number of kinds', () => {
    const budget = new ErrorLogBudget(60_000, 3, () => 0);
    for (const kind of ['a', 'b', 'c', 'd']) expect(budget.take(kind)).toBe(0);
    // 'a' was evicted to make room for 'd': it is logged again rather than growing the map.
    expect(budget.take('a')).toBe(0);
  });

  it('groups errors by type, code and throwing frame', () => {
    const make = () => new RangeError('one');
    expect(errorSignature(make())).toBe(errorSignature(make()));
    expect(errorSignature(make())).not.toBe(errorSignature(new TypeError('one')));
  });
});
