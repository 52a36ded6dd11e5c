import { randomUUID, webcrypto } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { errors, jwtVerify, SignJWT } from 'jose';
import { AppConfig } from '@app/core';
import { ROLES, type Role } from '../principal';

const ALGORITHM = 'HS256';
/** Verified tokens remembered at once; the oldest go first. */
const VERIFIED_MAX = 10_000;

export interface AccessTokenClaims {
  sub: string;
  role: Role;
  /** Session (refresh-token family) id. */
  sid: string;
  /** The account's session version when the token was issued (logout-all bumps it). */
  sv: number;
  iat: number;
  exp: number;
  jti: string;
}

/**
 * Access tokens: JWT, HS256 only, with issuer and audience pinned on both ends. Verification refuses
 * `alg: none`, any other algorithm, a bad signature, a wrong issuer or audience and expired tokens.
 *
 * A token that verified is remembered (by its exact text, signature included, so the same bytes can only
 * verify the same way) until it expires, up to {@link VERIFIED_MAX} tokens: a client's next request with it
 * costs a Map lookup and an expiry check instead of an HMAC through WebCrypto (a tenth of a cached read's CPU
 * in the profile). Only tokens that verified enter, so garbage cannot fill it. Whether the token's session
 * and account are still good is decided afresh on every request by the authentication guard, not here.
 */
@Injectable()
export class AccessTokenService {
  /**
   * Imported once: handing jose the raw secret makes it import the key again on every sign and verify (a
   * WebCrypto call each time, measured at a third of the cost of verifying).
   */
  private readonly key: Promise<webcrypto.CryptoKey>;
  private readonly verified = new Map<string, AccessTokenClaims>();

  constructor(private readonly config: AppConfig) {
    this.key = webcrypto.subtle.importKey(
      'raw',
      new TextEncoder().encode(config.auth.jwtSecret),
      { name: 'HMAC', hash: 'SHA-256' },
      false,
      ['sign', 'verify'],
    );
  }

  get ttlSeconds(): number {
    return this.config.auth.accessTtlSeconds;
  }

  async sign(subject: { id: string; role: Role; sessionId: string; sessionVersion: number }): Promise<string> {
    return new SignJWT({ role: subject.role, sid: subject.sessionId, sv: subject.sessionVersion })
      .setProtectedHeader({ alg: ALGORITHM, typ: 'JWT' })
      .setSubject(subject.id)
      .setIssuer(this.config.auth.issuer)
      .setAudience(this.config.auth.audience)
      .setIssuedAt()
      .setExpirationTime(`${this.config.auth.accessTtlSeconds}s`)
      .setJti(randomUUID())
      .sign(await this.key);
  }

  /** The verified claims, or `undefined` for any token that is not one of ours and current. */
  async verify(token: string): Promise<AccessTokenClaims | undefined> {
    const known = this.verified.get(token);
    if (known !== undefined) {
      // jose's rule: expired once `exp` is not after the current second.
      if (known.exp > Math.floor(Date.now() / 1000)) return known;
      this.verified.delete(token);
      return undefined;
    }
    const claims = await this.verifySignature(token);
    if (claims !== undefined) this.remember(token, claims);
    return claims;
  }

  private remember(token: string, claims: AccessTokenClaims): void {
    if (this.verified.size >= VERIFIED_MAX) {
      const oldest = this.verified.keys().next().value;
      if (oldest !== undefined) this.verified.delete(oldest);
    }
    this.verified.set(token, Object.freeze(claims));
  }

  private async verifySignature(token: string): Promise<AccessTokenClaims | undefined> {
    try {
      const { payload } = await jwtVerify(token, await this.key, {
        algorithms: [ALGORITHM],
        issuer: this.config.auth.issuer,
        audience: this.config.auth.audience,
        requiredClaims: ['sub', 'iat', 'exp', 'jti'],
      });
      const { sub, role, sid, sv, iat, exp, jti } = payload as Partial<AccessTokenClaims>;
      if (
        typeof sub !== 'string' ||
        !ROLES.includes(role as Role) ||
        typeof sid !== 'string' ||
        typeof sv !== 'number' ||
        typeof iat !== 'number' ||
        typeof exp !== 'number' ||
        typeof jti !== 'string'
      ) {
        return undefined;
      }
      return { sub, role: role as Role, sid, sv, iat, exp, jti };
    } catch (error) {
      if (error instanceof errors.JOSEError || error instanceof TypeError) return undefined;
      throw error;
    }
  }
}
