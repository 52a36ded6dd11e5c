import { Injectable } from '@nestjs/common';
import { and, eq, lte, sql } from 'drizzle-orm';
import { TransactionHost, PreparedStatement, rowsOf } from '@app/database';
import { idempotencyKeys } from './idempotency.schema';

/** Which key, for whom, for which request. */
export interface IdempotencyScope {
  userId: string;
  key: string;
  fingerprint: string;
}

/** A response as it is replayed. */
export interface StoredResponse {
  status: number;
  body: unknown;
  headers: Record<string, string>;
}

export type ExistingKey =
  | { state: 'in_progress'; fingerprint: string; expired: boolean }
  | { state: 'completed'; fingerprint: string; expired: boolean; response: StoredResponse };

const ofScope = (scope: Pick<IdempotencyScope, 'userId' | 'key'>) =>
  and(eq(idempotencyKeys.userId, scope.userId), eq(idempotencyKeys.key, scope.key));

/** The caller's own claim on the key, still running (what completing or releasing may touch). */
const inFlight = (scope: IdempotencyScope) =>
  and(ofScope(scope), eq(idempotencyKeys.fingerprint, scope.fingerprint), eq(idempotencyKeys.state, 'in_progress'));

const placeholder = sql.placeholder;
const expiresIn = sql`now() + ${placeholder('ttlMs')}::integer * interval '1 millisecond'`;

/** Every idempotent request makes these two: prepared (see PreparedStatement). */
const CLAIM = new PreparedStatement<Array<{ key: string }>, IdempotencyScope & { ttlMs: number }>(
  'idempotency_claim',
  (db) =>
    db
      .insert(idempotencyKeys)
      .values({
        userId: placeholder('userId'),
        key: placeholder('key'),
        fingerprint: placeholder('fingerprint'),
        state: 'in_progress',
        createdAt: sql`now()`,
        expiresAt: expiresIn,
      })
      .onConflictDoUpdate({
        target: [idempotencyKeys.userId, idempotencyKeys.key],
        set: {
          fingerprint: sql`excluded.fingerprint`,
          state: 'in_progress',
          responseStatus: null,
          responseBody: null,
          responseHeaders: null,
          createdAt: sql`now()`,
          expiresAt: sql`excluded.expires_at`,
        },
        setWhere: lte(idempotencyKeys.expiresAt, sql`now()`),
      })
      .returning({ key: idempotencyKeys.key }),
);

/** JSON values go as text cast to jsonb: a placeholder skips drizzle's encoding, and pg would send an array as a PG array. */
const COMPLETE = new PreparedStatement<
  Array<{ key: string }>,
  IdempotencyScope & { status: number; body: string | null; headers: string }
>('idempotency_complete', (db) =>
  db
    .update(idempotencyKeys)
    .set({
      state: 'completed',
      responseStatus: sql`${placeholder('status')}::integer`,
      responseBody: sql`${placeholder('body')}::jsonb`,
      responseHeaders: sql`${placeholder('headers')}::jsonb`,
    })
    .where(
      and(
        eq(idempotencyKeys.userId, placeholder('userId')),
        eq(idempotencyKeys.key, placeholder('key')),
        eq(idempotencyKeys.fingerprint, placeholder('fingerprint')),
        eq(idempotencyKeys.state, 'in_progress'),
      ),
    )
    .returning({ key: idempotencyKeys.key }),
);

/** All SQL about idempotency keys. Every method is one statement, never a transaction held open. */
@Injectable()
export class IdempotencyKeysRepository {
  constructor(private readonly txHost: TransactionHost) {}

  /**
   * Claims the key for this request: inserts an `in_progress` row, or takes over a row that has
   * expired (same statement, so of two racing claims exactly one gets a row back). Returns false when
   * a live row already holds the key.
   */
  async claim(scope: IdempotencyScope, ttlMs: number): Promise<boolean> {
    const rows = await CLAIM.execute(this.txHost.tx, { ...scope, ttlMs: Math.ceil(ttlMs) });
    return rows.length === 1;
  }

  async find(scope: Pick<IdempotencyScope, 'userId' | 'key'>): Promise<ExistingKey | undefined> {
    const [row] = await this.txHost.tx
      .select({
        state: idempotencyKeys.state,
        fingerprint: idempotencyKeys.fingerprint,
        status: idempotencyKeys.responseStatus,
        body: idempotencyKeys.responseBody,
        headers: idempotencyKeys.responseHeaders,
        expired: sql<boolean>`${idempotencyKeys.expiresAt} <= now()`,
      })
      .from(idempotencyKeys)
      .where(ofScope(scope))
      .limit(1);
    if (!row) return undefined;
    const expired = row.expired === true;
    if (row.state === 'in_progress' || row.status === null) {
      return { state: 'in_progress', fingerprint: row.fingerprint, expired };
    }
    return {
      state: 'completed',
      fingerprint: row.fingerprint,
      expired,
      response: { status: row.status, body: row.body ?? undefined, headers: row.headers ?? {} },
    };
  }

  /** Records the outcome of the request that holds the claim. */
  async complete(scope: IdempotencyScope, response: StoredResponse): Promise<boolean> {
    const rows = await COMPLETE.execute(this.txHost.tx, {
      ...scope,
      status: response.status,
      body: response.body === undefined ? null : JSON.stringify(response.body),
      headers: JSON.stringify(response.headers),
    });
    return rows.length === 1;
  }

  /** Gives the key back (the request failed in a way the client may retry): deletes the claim. */
  async release(scope: IdempotencyScope): Promise<boolean> {
    const rows = await this.txHost.tx
      .delete(idempotencyKeys)
      .where(inFlight(scope))
      .returning({ key: idempotencyKeys.key });
    return rows.length === 1;
  }

  /** Deletes every expired row (uses the `expires_at` index); returns how many. */
  async purgeExpired(): Promise<number> {
    const result = await this.txHost.tx.execute(sql`
      with purged as (delete from ${idempotencyKeys} where ${idempotencyKeys.expiresAt} <= now() returning 1)
      select count(*)::int as count from purged`);
    return rowsOf<{ count: number }>(result)[0]?.count ?? 0;
  }
}
