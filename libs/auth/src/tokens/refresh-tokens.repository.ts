import { Injectable } from '@nestjs/common';
import { and, eq, gt, isNull, ne, sql } from 'drizzle-orm';
import { TransactionHost } from '@app/database';
import { refreshTokens } from '../auth.schema';

export interface StoredRefreshToken {
  id: string;
  userId: string;
  familyId: string;
  expiresAt: Date;
  usedAt: Date | null;
  revokedAt: Date | null;
}

const columns = {
  id: refreshTokens.id,
  userId: refreshTokens.userId,
  familyId: refreshTokens.familyId,
  expiresAt: refreshTokens.expiresAt,
  usedAt: refreshTokens.usedAt,
  revokedAt: refreshTokens.revokedAt,
};

/** All SQL about refresh tokens. */
@Injectable()
export class RefreshTokensRepository {
  constructor(private readonly txHost: TransactionHost) {}

  async insert(row: { userId: string; familyId: string; tokenHash: string; expiresAt: Date }): Promise<void> {
    await this.txHost.tx.insert(refreshTokens).values(row);
  }

  /**
   * Marks the token used if, and only if, it is still usable. The conditional update is the lock:
   * of two concurrent refreshes with one token, exactly one gets a row back.
   */
  async consume(tokenHash: string): Promise<StoredRefreshToken | undefined> {
    const [row] = await this.txHost.tx
      .update(refreshTokens)
      .set({ usedAt: sql`now()` })
      .where(
        and(
          eq(refreshTokens.tokenHash, tokenHash),
          isNull(refreshTokens.usedAt),
          isNull(refreshTokens.revokedAt),
          gt(refreshTokens.expiresAt, sql`now()`),
        ),
      )
      .returning(columns);
    return row;
  }

  async findByHash(tokenHash: string): Promise<StoredRefreshToken | undefined> {
    const [row] = await this.txHost.tx
      .select(columns)
      .from(refreshTokens)
      .where(eq(refreshTokens.tokenHash, tokenHash))
      .limit(1);
    return row;
  }

  /** Whether the session (token family) is live and belongs to this user: a `sid` is never trusted alone. */
  async isFamilyActive(familyId: string, userId: string): Promise<boolean> {
    const [row] = await this.txHost.tx
      .select({ id: refreshTokens.id })
      .from(refreshTokens)
      .where(
        and(eq(refreshTokens.familyId, familyId), eq(refreshTokens.userId, userId), isNull(refreshTokens.revokedAt)),
      )
      .limit(1);
    return row !== undefined;
  }

  async revokeFamily(familyId: string): Promise<number> {
    const rows = await this.txHost.tx
      .update(refreshTokens)
      .set({ revokedAt: sql`now()` })
      .where(and(eq(refreshTokens.familyId, familyId), isNull(refreshTokens.revokedAt)))
      .returning({ id: refreshTokens.id });
    return rows.length;
  }

  async revokeAllForUser(userId: string, exceptFamilyId?: string): Promise<number> {
    const rows = await this.txHost.tx
      .update(refreshTokens)
      .set({ revokedAt: sql`now()` })
      .where(
        and(
          eq(refreshTokens.userId, userId),
          isNull(refreshTokens.revokedAt),
          exceptFamilyId ? ne(refreshTokens.familyId, exceptFamilyId) : undefined,
        ),
      )
      .returning({ id: refreshTokens.id });
    return rows.length;
  }
}
