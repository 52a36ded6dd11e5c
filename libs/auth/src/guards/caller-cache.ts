import { Injectable } from '@nestjs/common';
import type { PrincipalRecord } from '../principal';

/** How long a looked-up account and session may be reused: the bound on how late another replica sees a change. */
export const CALLER_CACHE_TTL_MS = 1_000;
/** Accounts held at once; the oldest go first. */
const MAX_ACCOUNTS = 10_000;

interface CachedSession {
  active: boolean;
  expiresAt: number;
}

interface CachedAccount {
  account: PrincipalRecord;
  expiresAt: number;
  sessions: Map<string, CachedSession>;
}

/**
 * What authentication looked up about a caller (the account, and whether the token's session is live), kept for
 * {@link CALLER_CACHE_TTL_MS}: an authenticated request then costs no SQL, except once a second per active
 * account and session. Staleness is bounded by that TTL on every replica, and there is none on the replica that
 * makes a change: whoever ends sessions or changes an account calls {@link forget} once the change is committed.
 */
@Injectable()
export class CallerCache {
  private readonly accounts = new Map<string, CachedAccount>();
  /** The clock (a field, not a constructor parameter, so that Nest injects nothing; tests may replace it). */
  protected now: () => number = Date.now;

  /** The account, when it was looked up less than a TTL ago. */
  account(userId: string): PrincipalRecord | undefined {
    const entry = this.accounts.get(userId);
    if (entry === undefined) return undefined;
    if (entry.expiresAt <= this.now()) {
      this.accounts.delete(userId);
      return undefined;
    }
    return entry.account;
  }

  /** Whether the session is live, when that was looked up less than a TTL ago (and the account is cached). */
  sessionActive(userId: string, sessionId: string): boolean | undefined {
    const session = this.accounts.get(userId)?.sessions.get(sessionId);
    return session !== undefined && session.expiresAt > this.now() ? session.active : undefined;
  }

  rememberAccount(account: PrincipalRecord): void {
    const existing = this.accounts.get(account.id);
    this.accounts.delete(account.id);
    if (this.accounts.size >= MAX_ACCOUNTS) {
      const oldest = this.accounts.keys().next().value;
      if (oldest !== undefined) this.accounts.delete(oldest);
    }
    this.accounts.set(account.id, {
      account,
      expiresAt: this.now() + CALLER_CACHE_TTL_MS,
      sessions: existing?.sessions ?? new Map(),
    });
  }

  rememberSession(userId: string, sessionId: string, active: boolean): void {
    const sessions = this.accounts.get(userId)?.sessions;
    if (sessions === undefined) return;
    if (sessions.size >= 64) sessions.clear(); // one account, many logins: never grows without bound
    sessions.set(sessionId, { active, expiresAt: this.now() + CALLER_CACHE_TTL_MS });
  }

  /** The account or its sessions changed (logout, disable, role or password change): look them up again. */
  forget(userId: string): void {
    this.accounts.delete(userId);
  }
}
