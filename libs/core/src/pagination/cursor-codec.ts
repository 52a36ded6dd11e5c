import { Injectable } from '@nestjs/common';
import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';
import { AppConfig } from '../config/app-config';
import { ProblemException } from '../problem/problem-details';
import { ProblemType } from '../problem/problem-types';

/** Where a page ends in the stable order `createdAt desc, id desc`: the next page starts strictly after it. */
export interface KeysetPosition {
  createdAt: Date;
  id: string;
}

/** Bump when the payload layout changes: older cursors then fail the check and clients restart the list. */
const VERSION = 1;
/** version (1) + createdAt in epoch milliseconds (8, signed) + id as the 16 bytes of the UUID. */
const PAYLOAD_BYTES = 1 + 8 + 16;
const TAG_BYTES = 32;
const CURSOR_BYTES = PAYLOAD_BYTES + TAG_BYTES;
/** The ECMAScript Date range. */
const MAX_EPOCH_MS = 8.64e15;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const BASE64URL = /^[A-Za-z0-9_-]+$/;

/** The one error every unusable cursor gets, whatever the reason (the reason is not the client's business). */
export const invalidCursorProblem = (): ProblemException =>
  new ProblemException({
    status: 400,
    type: ProblemType.validation,
    title: 'Bad Request',
    detail: 'The cursor is invalid',
    errors: [{ field: 'cursor', message: 'is invalid or expired' }],
  });

const uuidToBytes = (id: string): Buffer => Buffer.from(id.replaceAll('-', ''), 'hex');

function bytesToUuid(bytes: Buffer): string {
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

const isValidEpochMs = (ms: number): boolean => Number.isInteger(ms) && Math.abs(ms) <= MAX_EPOCH_MS;

/**
 * Opaque, tamper-checked keyset cursors: base64url of a compact binary position plus an HMAC-SHA256 tag.
 * The tag also covers a `scope` (the list and filter the cursor came from, e.g. `users?role=admin`) that is
 * not in the cursor itself, so a cursor replayed on another list or filter fails the check.
 * The HMAC key is derived from the JWT secret with HKDF, never the JWT key itself.
 */
@Injectable()
export class CursorCodec {
  private readonly key: Buffer;

  constructor(config: AppConfig) {
    this.key = Buffer.from(hkdfSync('sha256', config.auth.jwtSecret, '', 'pagination-cursor', 32));
  }

  encode(position: KeysetPosition, scope = ''): string {
    const ms = position.createdAt instanceof Date ? position.createdAt.getTime() : Number.NaN;
    // These are bugs in the caller (rows straight from the database never fail them), not client errors.
    if (!isValidEpochMs(ms)) throw new TypeError('CursorCodec.encode: createdAt is not a valid Date');
    if (typeof position.id !== 'string' || !UUID.test(position.id)) {
      throw new TypeError('CursorCodec.encode: id is not a UUID');
    }
    const payload = Buffer.alloc(PAYLOAD_BYTES);
    payload.writeUInt8(VERSION, 0);
    payload.writeBigInt64BE(BigInt(ms), 1);
    uuidToBytes(position.id).copy(payload, 9);
    return Buffer.concat([payload, this.tag(payload, scope)]).toString('base64url');
  }

  /** Throws a 400 validation {@link ProblemException} for anything that is not a cursor this codec issued for `scope`. */
  decode(cursor: string, scope = ''): KeysetPosition {
    if (typeof cursor !== 'string' || cursor.length > 512 || !BASE64URL.test(cursor)) throw invalidCursorProblem();
    const bytes = Buffer.from(cursor, 'base64url');
    // Node's decoder ignores unused trailing bits: insist on the canonical spelling so every character counts.
    if (bytes.length !== CURSOR_BYTES || bytes.toString('base64url') !== cursor) throw invalidCursorProblem();
    const payload = bytes.subarray(0, PAYLOAD_BYTES);
    if (!timingSafeEqual(bytes.subarray(PAYLOAD_BYTES), this.tag(payload, scope))) throw invalidCursorProblem();

    // Authentic from here on; still check the contents rather than trust an old or buggy encoder.
    if (payload.readUInt8(0) !== VERSION) throw invalidCursorProblem();
    const ms = Number(payload.readBigInt64BE(1));
    if (!isValidEpochMs(ms)) throw invalidCursorProblem();
    const id = bytesToUuid(payload.subarray(9));
    if (!UUID.test(id)) throw invalidCursorProblem();
    return { createdAt: new Date(ms), id };
  }

  private tag(payload: Buffer, scope: string): Buffer {
    // The payload has a fixed length, so payload || scope is unambiguous.
    return createHmac('sha256', this.key).update(payload).update(scope, 'utf8').digest();
  }
}
