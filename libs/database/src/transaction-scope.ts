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
 * Whether AsyncLocalStorage runs on async_hooks here (Node < 24 without --experimental-async-context-frame), the
 * implementation whose cost `disable()` removes. On AsyncContextFrame (Node 24+) the storage costs next to nothing
 * and `disable()` would edit the caller's context frame, so it is left alone.
 */
const HOOKS_BASED =
  Number(process.versions.node.split('.')[0]) < 24 &&
  ![...process.execArgv, ...(process.env.NODE_OPTIONS ?? '').split(/\s+/)].includes(
    '--experimental-async-context-frame',
  );

/**
 * Runs `fn` with `scope` as the ambient transaction of everything it awaits.
 *
 * On Node 20 and 22 an enabled AsyncLocalStorage makes every promise in the process pay for async hooks (8–17% of a
 * small Fastify route's throughput in an idle microbenchmark; README.md, Performance), including requests that never open a
 * transaction. So the storage is enabled only while at least one transaction is open and disabled again when the
 * last one settles: reads never pay, writes pay while they run. (Node 24's AsyncContextFrame makes the storage
 * nearly free, and it is then never disabled.) A scope that outlives its callback in
 * some longer-lived resource (a socket created inside a transaction) is closed, so it can never be joined.
 */
export async function enterTransactionScope<T>(scope: TransactionScope, fn: () => Promise<T>): Promise<T> {
  openScopes++;
  try {
    return await storage.run(scope, fn);
  } finally {
    scope.open = false;
    if (--openScopes === 0 && HOOKS_BASED) storage.disable();
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
