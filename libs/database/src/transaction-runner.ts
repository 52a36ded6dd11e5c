import { Injectable } from '@nestjs/common';
import { DatabaseClient } from './database.client';
import type { DbExecutor } from './database.types';
import { isRetryableTransactionError } from './database-errors';

export interface TransactionOptions {
  isolationLevel?: 'read committed' | 'repeatable read' | 'serializable';
  /** How many times to retry on a serialization failure or deadlock (default 3). */
  retries?: number;
}

/**
 * The one way services open a transaction. The callback receives the transaction and passes it to
 * repositories; a serialization failure or deadlock re-runs the whole callback, so it must not have
 * side effects outside the database.
 */
@Injectable()
export class TransactionRunner {
  constructor(private readonly client: DatabaseClient) {}

  /** The root handle, for single statements that need no transaction. */
  get db(): DbExecutor {
    return this.client.db;
  }

  async run<T>(fn: (tx: DbExecutor) => Promise<T>, options: TransactionOptions = {}): Promise<T> {
    const retries = options.retries ?? 3;
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.client.db.transaction((tx) => fn(tx), {
          isolationLevel: options.isolationLevel ?? 'read committed',
        });
      } catch (error) {
        if (attempt >= retries || !isRetryableTransactionError(error)) throw error;
        await new Promise((resolve) => setTimeout(resolve, 5 * 2 ** attempt + Math.random() * 10));
      }
    }
  }
}
