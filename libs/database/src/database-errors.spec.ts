import { describe, expect, it } from 'vitest';
import { databaseProblemMapper, isDatabaseUnavailable, isRetryableTransactionError, sqlState } from './database-errors';

const pgError = (code: string) => Object.assign(new Error(`pg ${code}`), { code });
const wrapped = (cause: unknown) => Object.assign(new Error('Failed query: insert into ...'), { cause });

describe('database errors', () => {
  it('finds the SQLSTATE through drizzle wrapping', () => {
    expect(sqlState(wrapped(pgError('23505')))).toBe('23505');
    expect(sqlState(new Error('plain'))).toBeUndefined();
    expect(sqlState(wrapped(Object.assign(new Error('x'), { code: 'ECONNREFUSED' })))).toBeUndefined();
  });

  it.each([
    [pgError('23505'), 409],
    [wrapped(pgError('23503')), 409],
    [pgError('22001'), 400],
    [pgError('23514'), 400],
    [pgError('40001'), 503],
    [pgError('57014'), 503],
    [pgError('57P01'), 503],
    [pgError('08006'), 503],
    [wrapped(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' })), 503],
    [new Error('timeout exceeded when trying to connect'), 503],
    [wrapped(new Error('Connection terminated unexpectedly')), 503],
  ])('maps %s to %i', (error, status) => {
    expect(databaseProblemMapper(error)?.getStatus()).toBe(status);
  });

  it('outages carry Retry-After and hide the driver message', () => {
    const problem = databaseProblemMapper(new Error('timeout exceeded when trying to connect'));
    expect(problem?.headers['retry-after']).toBe('2');
    expect(problem?.detail).not.toContain('timeout exceeded');
  });

  it('leaves errors that are not the database’s to others', () => {
    expect(databaseProblemMapper(new Error('something else'))).toBeUndefined();
    expect(databaseProblemMapper(pgError('42P01'))).toBeUndefined();
    expect(isDatabaseUnavailable(new TypeError('x is undefined'))).toBe(false);
  });

  it('retries only serialization failures and deadlocks', () => {
    expect(isRetryableTransactionError(wrapped(pgError('40001')))).toBe(true);
    expect(isRetryableTransactionError(pgError('40P01'))).toBe(true);
    expect(isRetryableTransactionError(pgError('23505'))).toBe(false);
  });
});
