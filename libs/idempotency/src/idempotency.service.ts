import { Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { TransactionHost } from '@app/database';
import { IDEMPOTENCY_KEY_TTL_MS, IDEMPOTENCY_PURGE_INTERVAL_MS } from './idempotency.constants';
import { type IdempotencyScope, IdempotencyKeysRepository, type StoredResponse } from './idempotency-keys.repository';

/** What a request carrying a key should do. */
export type IdempotencyDecision =
  { kind: 'proceed' } | { kind: 'replay'; response: StoredResponse } | { kind: 'in-progress' } | { kind: 'mismatch' };

/** Claims never take more than a few rounds: each round either claims, decides, or saw a row vanish. */
const MAX_CLAIM_ROUNDS = 5;

/**
 * The key lifecycle on PostgreSQL. Each step is one short statement on the root handle, never a
 * transaction held across the handler (PGlite has a single connection).
 */
@Injectable()
export class IdempotencyService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('Idempotency');
  private lastPurgeAt = 0;
  private purging: Promise<unknown> | undefined;

  constructor(
    private readonly txHost: TransactionHost,
    private readonly repository: IdempotencyKeysRepository,
  ) {}

  /**
   * Claims the key, or says what to answer instead: the stored response, 409 while the first request
   * runs, 422 when the key was used for another request. An expired row is taken over by the claim.
   */
  async begin(scope: IdempotencyScope): Promise<IdempotencyDecision> {
    this.maybePurge();
    for (let round = 0; round < MAX_CLAIM_ROUNDS; round++) {
      if (await this.repository.claim(scope, IDEMPOTENCY_KEY_TTL_MS)) return { kind: 'proceed' };
      const existing = await this.repository.find(scope);
      // Released or expired between the two statements: claim again.
      if (!existing || existing.expired) continue;
      if (existing.fingerprint !== scope.fingerprint) return { kind: 'mismatch' };
      if (existing.state === 'in_progress') return { kind: 'in-progress' };
      return { kind: 'replay', response: existing.response };
    }
    // Only a key being claimed and released over and over gets here; for the client that is "in flight".
    return { kind: 'in-progress' };
  }

  /** Stores the outcome of the request that holds the claim, to be replayed. */
  async complete(scope: IdempotencyScope, response: StoredResponse): Promise<void> {
    try {
      if (!(await this.repository.complete(scope, response))) {
        this.logger.warn({ userId: scope.userId }, 'Idempotency key claim was lost before its outcome was stored');
      }
    } catch (error) {
      // The handler's work is done and its response stands; the key stays in progress until it expires.
      this.logger.error({ err: error, userId: scope.userId }, 'Could not store the outcome of an idempotent request');
    }
  }

  /** Gives the key back so that the client can retry with it (validation failures, 5xx). */
  async release(scope: IdempotencyScope): Promise<void> {
    try {
      await this.repository.release(scope);
    } catch (error) {
      this.logger.error({ err: error, userId: scope.userId }, 'Could not release an idempotency key');
    }
  }

  async purgeExpired(): Promise<number> {
    return this.repository.purgeExpired();
  }

  onApplicationBootstrap(): void {
    this.maybePurge();
  }

  async onModuleDestroy(): Promise<void> {
    await this.purging;
  }

  /** Purges expired rows in the background at most once per interval; a failure is only logged. */
  private maybePurge(): void {
    const now = Date.now();
    if (this.purging || now - this.lastPurgeAt < IDEMPOTENCY_PURGE_INTERVAL_MS) return;
    this.lastPurgeAt = now;
    this.purging = this.purgeExpired()
      .then((count) => {
        if (count > 0) this.logger.log(`Purged ${count} expired idempotency keys`);
      })
      .catch((error: unknown) => this.logger.warn({ err: error }, 'Purging expired idempotency keys failed'))
      .finally(() => {
        this.purging = undefined;
      });
  }
}
