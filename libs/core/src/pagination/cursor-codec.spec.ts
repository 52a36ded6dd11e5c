import { createHmac, hkdfSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../config/app-config';
import { ProblemException } from '../problem/problem-details';
import { ProblemType } from '../problem/problem-types';
import { CursorCodec, type KeysetPosition } from './cursor-codec';

const SECRET = 'test-secret-for-cursor-codec-0123456789abcdef';
const codecWith = (secret: string): CursorCodec =>
  new CursorCodec(loadConfig({ NODE_ENV: 'test', JWT_SECRET: secret }));
const codec = codecWith(SECRET);

const position: KeysetPosition = {
  createdAt: new Date('2024-05-06T07:08:09.123Z'),
  id: '0190a3f4-7b1c-7def-8a12-3456789abcde',
};
const SCOPE = 'users?role=admin';
const BASE64URL_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

function problemFrom(decode: () => unknown): ProblemException {
  try {
    decode();
  } catch (error) {
    if (error instanceof ProblemException) return error;
    throw error;
  }
  throw new Error('expected the cursor to be rejected');
}

function expectInvalid(decode: () => unknown): void {
  const problem = problemFrom(decode);
  expect(problem.getStatus()).toBe(400);
  expect(problem.problemType).toBe(ProblemType.validation);
  expect(problem.detail).toBe('The cursor is invalid');
  expect(problem.errors).toEqual([{ field: 'cursor', message: 'is invalid or expired' }]);
}

/** A cursor signed with the real derived key, so only the payload checks can reject it. */
function forge(
  payload: Buffer,
  scope = '',
  key = Buffer.from(hkdfSync('sha256', SECRET, '', 'pagination-cursor', 32)),
) {
  const tag = createHmac('sha256', key).update(payload).update(scope, 'utf8').digest();
  return Buffer.concat([payload, tag]).toString('base64url');
}

function payload(version: number, ms: bigint, idHex = '0190a3f47b1c7def8a123456789abcde'): Buffer {
  const bytes = Buffer.alloc(25);
  bytes.writeUInt8(version, 0);
  bytes.writeBigInt64BE(ms, 1);
  Buffer.from(idHex, 'hex').copy(bytes, 9);
  return bytes;
}

describe('CursorCodec', () => {
  it('round-trips a position, with and without a scope', () => {
    const cursor = codec.encode(position, SCOPE);
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(cursor.length).toBeLessThanOrEqual(512);
    expect(codec.decode(cursor, SCOPE)).toEqual(position);
    expect(codec.decode(codec.encode(position))).toEqual(position);
  });

  it('round-trips extreme dates and normalises the id to lower case', () => {
    for (const createdAt of [
      new Date(0),
      new Date(-8.64e15),
      new Date(8.64e15),
      new Date('1969-12-31T23:59:59.999Z'),
    ]) {
      expect(codec.decode(codec.encode({ createdAt, id: position.id }))).toEqual({ createdAt, id: position.id });
    }
    const upper = { ...position, id: position.id.toUpperCase() };
    expect(codec.decode(codec.encode(upper)).id).toBe(position.id);
  });

  it('is opaque: the cursor does not show the id or the date', () => {
    const cursor = codec.encode(position);
    expect(cursor).not.toContain(position.id.slice(0, 8));
    expect(Buffer.from(cursor, 'base64url').toString('latin1')).not.toContain('2024');
  });

  it('is the same cursor for the same position (no randomness), and another for the next row', () => {
    expect(codec.encode(position, SCOPE)).toBe(codec.encode(position, SCOPE));
    expect(codec.encode({ ...position, id: '0190a3f4-7b1c-7def-8a12-3456789abcdf' }, SCOPE)).not.toBe(
      codec.encode(position, SCOPE),
    );
  });

  it('rejects a cursor with any one character changed to any other', () => {
    const cursor = codec.encode(position, SCOPE);
    const accepted: string[] = [];
    let tried = 0;
    for (let i = 0; i < cursor.length; i++) {
      for (const replacement of BASE64URL_ALPHABET) {
        if (replacement === cursor[i]) continue;
        const tampered = cursor.slice(0, i) + replacement + cursor.slice(i + 1);
        try {
          codec.decode(tampered, SCOPE);
          accepted.push(`position ${i} -> ${replacement}`);
        } catch (error) {
          if (!(error instanceof ProblemException) || error.getStatus() !== 400) throw error;
        }
        tried++;
      }
    }
    expect(accepted).toEqual([]);
    expect(tried).toBe(cursor.length * 63);
    expectInvalid(() => codec.decode(cursor.slice(0, 10) + (cursor[10] === 'A' ? 'B' : 'A') + cursor.slice(11), SCOPE));
  });

  it('rejects a cursor used with another scope', () => {
    const cursor = codec.encode(position, SCOPE);
    expectInvalid(() => codec.decode(cursor, 'users?role=customer'));
    expectInvalid(() => codec.decode(cursor, 'orders'));
    expectInvalid(() => codec.decode(cursor));
    expectInvalid(() => codec.decode(codec.encode(position), SCOPE));
  });

  it('rejects a cursor issued with another secret', () => {
    const other = codecWith('another-secret-for-cursor-codec-fedcba9876543210');
    expectInvalid(() => codec.decode(other.encode(position, SCOPE), SCOPE));
    expect(other.decode(other.encode(position, SCOPE), SCOPE)).toEqual(position);
  });

  it('does not use the JWT secret itself as the cursor key', () => {
    const signedWithJwtSecret = forge(payload(1, 1_700_000_000_000n), '', Buffer.from(SECRET, 'utf8'));
    expectInvalid(() => codec.decode(signedWithJwtSecret));
    // Sanity check of the forging helper: the same payload with the derived key is accepted.
    expect(codec.decode(forge(payload(1, 1_700_000_000_000n))).createdAt.getTime()).toBe(1_700_000_000_000);
  });

  it('rejects garbage', () => {
    const cursor = codec.encode(position);
    const garbage: unknown[] = [
      '',
      ' ',
      'abc',
      'null',
      '!!!!',
      '====',
      `${cursor}=`,
      `${cursor}A`,
      cursor.slice(0, -1),
      cursor.slice(1),
      ` ${cursor}`,
      cursor.replace(/-/g, '+').replace(/_/g, '/'),
      Buffer.alloc(57).toString('base64url'),
      Buffer.from('{"createdAt":"2024-01-01","id":"x"}').toString('base64url'),
      'a'.repeat(513),
      'a'.repeat(100_000),
      '🙂🙂🙂',
      undefined,
      null,
      42,
      {},
      ['abc'],
    ];
    for (const value of garbage) expectInvalid(() => codec.decode(value as string));
  });

  it('rejects an authentic but malformed payload (old version, date out of range)', () => {
    expectInvalid(() => codec.decode(forge(payload(0, 0n))));
    expectInvalid(() => codec.decode(forge(payload(2, 0n))));
    expectInvalid(() => codec.decode(forge(payload(1, 8_640_000_000_000_001n))));
    expectInvalid(() => codec.decode(forge(payload(1, -(2n ** 63n)))));
    expectInvalid(() => codec.decode(forge(Buffer.concat([payload(1, 0n), Buffer.from([0])]))));
  });

  it('refuses to encode an invalid position (a bug, not a client error)', () => {
    expect(() => codec.encode({ createdAt: new Date(Number.NaN), id: position.id })).toThrow(TypeError);
    expect(() => codec.encode({ createdAt: '2024-01-01' as unknown as Date, id: position.id })).toThrow(TypeError);
    expect(() => codec.encode({ createdAt: position.createdAt, id: 'not-a-uuid' })).toThrow(TypeError);
    expect(() => codec.encode({ createdAt: position.createdAt, id: 42 as unknown as string })).toThrow(TypeError);
  });
});
