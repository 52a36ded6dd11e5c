import { AsyncLocalStorage } from 'node:async_hooks';
import type { DatabaseClient } from './database.client';
import type { DbExecutor } from './database.types';

/** One open transaction or savepoint, as the code running inside it sees it. */
export interface TransactionScope {
  /** The database the transaction belongs to (one process may hold several, e.g. in tests). */
  readonly client: DatabaseClient;
  readonly tx: DbExecutor;
  /** False once the callback has settled: a scope that leaked into a longer-lived resource is ignored. */
  open: boolean;
  readonly afterCommit: Array<() => unknown>;
}

const storage = new AsyncLocalStorage<TransactionScope>();
let openScopes = 0;

/**
 * Runs `fn` with `scope` as the ambient transaction of everything it awaits.
 *
 * On Node 20 and 22 an enabled AsyncLocalStorage makes every promise in the process pay for async hooks (8–17% of a
 * small Fastify route's throughput in our measurements, bench/README.md), including requests that never open a
 * transaction. So the storage is enabled only while at least one transaction is open and disabled again when the
 * last one settles: reads never pay, writes pay while they run. (Node 24's AsyncContextFrame makes the storage
 * nearly free; `disable()` is then a no-op for the contexts that matter.) A scope that outlives its callback in
 * some longer-lived resource (a socket created inside a transaction) is closed, so it can never be joined.
 */
export async function enterTransactionScope<T>(scope: TransactionScope, fn: () => Promise<T>): Promise<T> {
  openScopes++;
  try {
    return await storage.run(scope, fn);
  } finally {
    scope.open = false;
    if (--openScopes === 0) storage.disable();
  }
}

export function currentTransactionScope(): TransactionScope | undefined {
  if (openScopes === 0) return undefined;
  const scope = storage.getStore();
  return scope?.open ? scope : undefined;
}

/** For tests: how many transaction scopes are open in this process. */
export function openTransactionScopes(): number {
  return openScopes;
}
