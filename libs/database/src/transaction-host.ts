import { Injectable, Logger } from '@nestjs/common';
import { DatabaseClient } from './database.client';
import type { DbExecutor } from './database.types';
import { isRetryableTransactionError } from './database-errors';
import { enterTransactionScope, currentTransactionScope, type TransactionScope } from './transaction-scope';

export interface TransactionOptions {
  /** The outermost transaction's isolation level (default read committed); a joined call keeps its parent's. */
  isolationLevel?: 'read committed' | 'repeatable read' | 'serializable';
  /** How many times the outermost transaction re-runs on a serialization failure or deadlock (default 3). */
  retries?: number;
}

/**
 * Ambient transactions. `withTransaction(fn)` opens a transaction and every repository call made while `fn`
 * runs — by this feature or by any other feature's public API it calls — runs in it, because repositories take
 * their executor from {@link TransactionHost.tx} instead of a parameter. Nothing has to be threaded through, and
 * the embedded database's single connection can no longer deadlock on a neighbour's query made outside the
 * transaction that holds it.
 *
 * - Called inside a transaction, `withTransaction` opens a savepoint: if `fn` fails, only its own work is rolled
 *   back and the caller may go on; the outcome is committed or rolled back with the outermost transaction.
 * - A serialization failure or deadlock re-runs the outermost callback (so it must have no side effects outside the
 *   database: put those in {@link afterCommit}).
 * - Outside a transaction, `tx` is the root handle: each statement commits on its own.
 */
@Injectable()
export class TransactionHost {
  private readonly logger = new Logger('TransactionHost');

  constructor(private readonly client: DatabaseClient) {}

  /** The ambient transaction (or savepoint), or the root handle when none is open. */
  get tx(): DbExecutor {
    return this.scope()?.tx ?? this.client.db;
  }

  isTransactionActive(): boolean {
    return this.scope() !== undefined;
  }

  async withTransaction<T>(fn: () => Promise<T>, options: TransactionOptions = {}): Promise<T> {
    const parent = this.scope();
    if (parent) return this.savepoint(parent, fn);
    const retries = options.retries ?? 3;
    for (let attempt = 0; ; attempt++) {
      const hooks: Array<() => unknown> = [];
      try {
        const result = await this.client.db.transaction(
          (tx) => enterTransactionScope({ client: this.client, tx, open: true, afterCommit: hooks }, fn),
          { isolationLevel: options.isolationLevel ?? 'read committed' },
        );
        await this.runHooks(hooks);
        return result;
      } catch (error) {
        if (attempt >= retries || !isRetryableTransactionError(error)) throw error;
        await new Promise((resolve) => setTimeout(resolve, 5 * 2 ** attempt + Math.random() * 10));
      }
    }
  }

  /**
   * Runs `hook` once the outermost transaction has committed (not at all if it rolls back, once per successful
   * attempt if it is retried); outside a transaction, at once. A hook that fails is logged; it never fails the
   * work that committed.
   */
  async afterCommit(hook: () => unknown): Promise<void> {
    const scope = this.scope();
    if (scope) scope.afterCommit.push(hook);
    else await this.runHooks([hook]);
  }

  private async savepoint<T>(parent: TransactionScope, fn: () => Promise<T>): Promise<T> {
    const hooks: Array<() => unknown> = [];
    const result = await parent.tx.transaction((tx) =>
      enterTransactionScope({ client: this.client, tx, open: true, afterCommit: hooks }, fn),
    );
    parent.afterCommit.push(...hooks);
    return result;
  }

  private scope(): TransactionScope | undefined {
    const scope = currentTransactionScope();
    return scope?.client === this.client ? scope : undefined;
  }

  private async runHooks(hooks: ReadonlyArray<() => unknown>): Promise<void> {
    for (const hook of hooks) {
      try {
        await hook();
      } catch (error) {
        this.logger.error({ err: error }, 'An after-commit hook failed');
      }
    }
  }
}
