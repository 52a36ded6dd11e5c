import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { AppConfig } from '@app/core';
import { TransactionHost } from '@app/database';
import { unauthorized } from '../auth-problems';
import { PrincipalStore, type PrincipalRecord } from '../principal';
import { CallerCache } from '../guards/caller-cache';
import { AccessTokenService } from './access-token.service';
import { RefreshTokensRepository } from './refresh-tokens.repository';

export interface TokenPair {
  accessToken: string;
  refreshToken: string;
  tokenType: 'Bearer';
  /** Seconds until the access token expires. */
  expiresIn: number;
}

const hashToken = (token: string): string => createHash('sha256').update(token).digest('hex');
/** 256 random bits, URL-safe. */
const newRefreshToken = (): string => randomBytes(32).toString('base64url');

/**
 * Login sessions: an access token plus a rotating refresh token per login (a token family).
 * Reusing a spent refresh token is treated as theft: the whole family is revoked.
 */
@Injectable()
export class SessionTokens {
  constructor(
    private readonly txHost: TransactionHost,
    private readonly refreshTokens: RefreshTokensRepository,
    private readonly accessTokens: AccessTokenService,
    private readonly principals: PrincipalStore,
    private readonly config: AppConfig,
    private readonly callers: CallerCache,
  ) {}

  /** Starts a new session (token family) for an authenticated account. */
  async start(principal: PrincipalRecord): Promise<TokenPair> {
    return this.issue(principal, randomUUID());
  }

  /** Exchanges a refresh token for a new pair; the presented token is used up. */
  async refresh(refreshToken: string): Promise<TokenPair> {
    const tokenHash = hashToken(refreshToken);
    const pair = await this.txHost.withTransaction(async () => {
      const consumed = await this.refreshTokens.consume(tokenHash);
      if (!consumed) return undefined;
      const principal = await this.principals.findPrincipal(consumed.userId);
      if (!principal || principal.disabled) {
        await this.refreshTokens.revokeFamily(consumed.familyId);
        return null;
      }
      return this.issue(principal, consumed.familyId);
    });
    if (pair) return pair;
    if (pair === undefined) {
      // Not usable: unknown, expired, revoked, or already used. Reuse revokes the family, committed
      // on its own (the 401 below must not roll it back).
      const stored = await this.refreshTokens.findByHash(tokenHash);
      if (stored?.usedAt) {
        await this.refreshTokens.revokeFamily(stored.familyId);
        this.callers.forget(stored.userId);
      }
    }
    throw unauthorized('The refresh token is invalid, expired or already used', 'invalid_token');
  }

  /** Logout: ends the session the refresh token belongs to, if it is the caller's. */
  async end(refreshToken: string, userId: string): Promise<void> {
    const stored = await this.refreshTokens.findByHash(hashToken(refreshToken));
    if (stored && stored.userId === userId) {
      await this.refreshTokens.revokeFamily(stored.familyId);
      this.callers.forget(userId);
    }
  }

  /** A session is active while its family has a token that is not revoked. */
  /** Whether the session is live and is `userId`'s (a token signed for one user never rides another's session). */
  isActive(sessionId: string, userId: string): Promise<boolean> {
    return this.refreshTokens.isFamilyActive(sessionId, userId);
  }

  /**
   * Ends every session of the account, or every one but `keepSessionId`. In the caller's transaction, if one is open: call
   * `CallerCache.forget(userId)` once it has committed, so that this replica stops accepting the sessions at once.
   */
  async endAll(userId: string, keepSessionId?: string): Promise<void> {
    await this.refreshTokens.revokeAllForUser(userId, keepSessionId);
  }

  private async issue(principal: PrincipalRecord, familyId: string): Promise<TokenPair> {
    const refreshToken = newRefreshToken();
    const expiresAt = new Date(Date.now() + this.config.auth.refreshTtlDays * 86_400_000);
    await this.refreshTokens.insert({
      userId: principal.id,
      familyId,
      tokenHash: hashToken(refreshToken),
      expiresAt,
    });
    const accessToken = await this.accessTokens.sign({
      id: principal.id,
      role: principal.role,
      sessionId: familyId,
      sessionVersion: principal.sessionVersion,
    });
    return { accessToken, refreshToken, tokenType: 'Bearer', expiresIn: this.accessTokens.ttlSeconds };
  }
}
