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
  /** Lookups under way, by user (and session): concurrent requests of one caller share one query. */
  private readonly accountLoads = new Map<string, Promise<PrincipalRecord | undefined>>();
  private readonly sessionLoads = new Map<string, Map<string, Promise<boolean>>>();
  /** Counts calls to {@link forget}: a lookup that started before one must not be remembered after it. */
  private forgets = 0;
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

  /**
   * The account, from memory or from `load` (once for all concurrent callers: when the entry expires under
   * load, one query instead of one per request in flight). Remembered unless {@link forget} ran meanwhile.
   */
  loadAccount(userId: string, load: () => Promise<PrincipalRecord | undefined>): Promise<PrincipalRecord | undefined> {
    const cached = this.account(userId);
    if (cached !== undefined) return Promise.resolve(cached);
    const pending = this.accountLoads.get(userId);
    if (pending !== undefined) return pending;
    const forgets = this.forgets;
    const loading = load()
      .then((account) => {
        if (account !== undefined && forgets === this.forgets) this.rememberAccount(account);
        return account;
      })
      .finally(() => {
        if (this.accountLoads.get(userId) === loading) this.accountLoads.delete(userId);
      });
    this.accountLoads.set(userId, loading);
    return loading;
  }

  /** Whether the session is live, from memory or from `load`, as {@link loadAccount}. */
  loadSession(userId: string, sessionId: string, load: () => Promise<boolean>): Promise<boolean> {
    const cached = this.sessionActive(userId, sessionId);
    if (cached !== undefined) return Promise.resolve(cached);
    let loads = this.sessionLoads.get(userId);
    const pending = loads?.get(sessionId);
    if (pending !== undefined) return pending;
    const forgets = this.forgets;
    const loading = load()
      .then((active) => {
        if (forgets === this.forgets) this.rememberSession(userId, sessionId, active);
        return active;
      })
      .finally(() => {
        const current = this.sessionLoads.get(userId);
        if (current?.get(sessionId) !== loading) return;
        current.delete(sessionId);
        if (current.size === 0) this.sessionLoads.delete(userId);
      });
    if (loads === undefined) this.sessionLoads.set(userId, (loads = new Map()));
    loads.set(sessionId, loading);
    return loading;
  }

  /**
   * The account or its sessions changed (logout, disable, role or password change): look them up again. Lookups
   * already under way may have read the old state: later requests do not wait for them, and they are not kept.
   */
  forget(userId: string): void {
    this.forgets++;
    this.accounts.delete(userId);
    this.accountLoads.delete(userId);
    this.sessionLoads.delete(userId);
  }
}
